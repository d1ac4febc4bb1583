// Extended-ACK offsets (NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_NEST) resolved to attribute paths
// against the request, with offsets known from the independent builder.
import t from 'tap';
import { resolveMissing, resolveOffset } from '../../../src/netlink/attr-path.js';
import { msg } from '../../helpers/builder.js';
import { A, I, MT, T, V4, testProtocol } from '../../helpers/test-protocol.js';

const p = testProtocol();

// A request with nests, a nest with a struct header, sub-messages by sibling and by header,
// a multi attribute and an unknown attribute; every attribute start is marked.
const req = msg(MT.T_NEW, 0x405, 1, 0)
  .u8(2).u8(0).u16(0).s32(0) // thdr, family 2 (AF_INET)
  .mark('mtu').attrU32(T.MTU, 1500)
  .mark('nest')
  .nest(T.NEST, (n) =>
    n
      .mark('nest.x').attrU32(I.X, 1)
      .mark('nest.child')
      .nest(I.CHILD, (c) => c.mark('nest.child.y').str(I.Y, 'hello').mark('nest.child.x').attrU32(I.X, 2).mark('nest.child.99').attrBytes(99, '01')),
  )
  .mark('kind').str(T.KIND, 'alpha')
  .mark('info').nest(T.INFO, (n) => n.mark('info.id').attrU32(A.ID, 7).mark('info.label').str(A.LABEL, 'lbl'))
  .mark('peer').attr(T.PEER, (n) => n.u32(3).u16(1).zeros(2).mark('peer.x').attrU32(I.X, 4))
  .mark('spec').nest(T.SPEC, (n) => n.mark('spec.addr').attrBytes(V4.ADDR, [10, 0, 0, 1]).mark('spec.flags').attrU32(V4.FLAGS, 1))
  .mark('tag0').str(T.TAG, 'a')
  .mark('tag1').str(T.TAG, 'b')
  .mark('tag1.nest').nest(T.NEST, (n) => n.mark('tag1.nest.x').attrU32(I.X, 9))
  .mark('unknown').attrBytes(77, '0102')
  .mark('end');
const bytes = req.build();
const at = (name: string) => {
  const o = req.offsets().get(name);
  if (o === undefined) throw new Error(`no mark ${name}`);
  return o;
};

t.test('the offset of an attribute resolves to its path', async (t) => {
  const cases: Array<[string, string]> = [
    ['mtu', 'T_MTU'],
    ['nest', 'T_NEST'],
    ['nest.x', 'T_NEST.I_X'],
    ['nest.child', 'T_NEST.I_CHILD'],
    ['nest.child.y', 'T_NEST.I_CHILD.I_Y'],
    ['nest.child.x', 'T_NEST.I_CHILD.I_X'],
    ['nest.child.99', 'T_NEST.I_CHILD.I_99'],
    ['kind', 'T_KIND'],
    ['info', 'T_INFO'],
    ['info.id', 'T_INFO.A_ID'],
    ['info.label', 'T_INFO.A_LABEL'],
    ['peer', 'T_PEER'],
    ['peer.x', 'T_PEER.I_X'],
    ['spec', 'T_SPEC'],
    ['spec.addr', 'T_SPEC.V4_ADDR'],
    ['spec.flags', 'T_SPEC.V4_FLAGS'],
    ['tag0', 'T_TAG'],
    ['tag1', 'T_TAG'],
    ['tag1.nest', 'T_NEST'],
    ['tag1.nest.x', 'T_NEST.I_X'],
    ['unknown', 'T_77'],
  ];
  for (const [mark, path] of cases) t.equal(resolveOffset(p, bytes, at(mark)), path, `${mark} at ${at(mark)}`);
});

t.test('offsets inside a payload resolve to the containing attribute', async (t) => {
  t.equal(resolveOffset(p, bytes, at('mtu') + 4), 'T_MTU', 'first payload byte');
  t.equal(resolveOffset(p, bytes, at('mtu') + 7), 'T_MTU', 'last payload byte');
  t.equal(resolveOffset(p, bytes, at('nest') + 2), 'T_NEST', 'inside the nest header');
  t.equal(resolveOffset(p, bytes, at('nest.child.y') + 5), 'T_NEST.I_CHILD.I_Y', 'inside a string');
  t.equal(resolveOffset(p, bytes, at('nest.child.y') + 10), 'T_NEST.I_CHILD.I_Y', 'in the padding after the string');
  t.equal(resolveOffset(p, bytes, at('peer') + 4), 'T_PEER', 'in the struct header of a nest');
  t.equal(resolveOffset(p, bytes, at('peer') + 10), 'T_PEER', 'in the padding after the struct header');
  t.equal(resolveOffset(p, bytes, at('info.label') + 4), 'T_INFO.A_LABEL');
  t.equal(resolveOffset(p, bytes, at('spec.flags') + 4), 'T_SPEC.V4_FLAGS');
  t.equal(resolveOffset(p, bytes, at('unknown') + 5), 'T_77');
  t.equal(resolveOffset(p, bytes, 0), undefined, 'in nlmsghdr');
  t.equal(resolveOffset(p, bytes, 18), undefined, 'in the fixed header');
  t.equal(resolveOffset(p, bytes, at('end')), undefined, 'after the message');
  t.equal(resolveOffset(p, bytes, 100000), undefined, 'far away');
});

t.test('missing attributes resolve in the nest the kernel names', async (t) => {
  t.equal(resolveMissing(p, bytes, T.NAME, undefined), 'T_NAME', 'top level');
  t.equal(resolveMissing(p, bytes, 99, undefined), 'T_99', 'unknown number at top level');
  t.equal(resolveMissing(p, bytes, I.Y, at('nest')), 'T_NEST.I_Y');
  t.equal(resolveMissing(p, bytes, I.ON, at('nest.child')), 'T_NEST.I_CHILD.I_ON');
  t.equal(resolveMissing(p, bytes, A.LABEL, at('info')), 'T_INFO.A_LABEL', 'in a sub-message');
  t.equal(resolveMissing(p, bytes, V4.ADDR, at('spec')), 'T_SPEC.V4_ADDR', 'in a sub-message chosen by the header');
  t.equal(resolveMissing(p, bytes, I.Y, at('peer')), 'T_PEER.I_Y', 'in a nest with a struct header');
  t.equal(resolveMissing(p, bytes, 1, at('mtu')), undefined, 'an offset that is no nest');
});

t.test('requests that cannot be resolved', async (t) => {
  t.equal(resolveOffset(p, bytes.subarray(0, 10), 0), undefined, 'shorter than nlmsghdr');
  const unknownType = msg(0x99, 0, 1, 0).attrU32(1, 1).build();
  t.equal(resolveOffset(p, unknownType, 16), undefined, 'a type the protocol does not know');
  t.equal(resolveMissing(p, unknownType, 1, undefined), undefined);
  // A malformed request: the path stops where the bytes stop making sense.
  const bad = msg(MT.T_NEW, 0, 1, 0).zeros(8).mark('n').nest(T.NEST, (n) => n.attrU32(I.X, 1).mark('bad').attr(I.X, [], { len: 200 }));
  const bb = bad.build();
  t.equal(resolveOffset(p, bb, bad.offsets().get('bad')!), 'T_NEST');
  t.equal(resolveOffset(p, bb, bad.offsets().get('n')! + 4), 'T_NEST.I_X');
});
