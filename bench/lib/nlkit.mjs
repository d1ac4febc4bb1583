// Loads nlkit from a compiled tree (default: the package's dist/), as an application would use it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The parts of nlkit the bench uses; `Netlink` is undefined until the high-level API is built. */
export async function loadNlkit(dist) {
  const imp = (rel) => import(pathToFileURL(join(dist, rel)).href);
  const [client, message, nt, rt, fake] = await Promise.all([
    imp('netlink/client.js'),
    imp('netlink/message.js'),
    imp('netlink/native-transport.js'),
    imp('rtnetlink/index.js'),
    imp('netlink/fake-transport.js'),
  ]);
  let Netlink;
  for (const rel of ['index.js', 'api/netlink.js']) {
    if (!existsSync(join(dist, rel))) continue;
    try {
      Netlink = (await imp(rel)).Netlink;
    } catch {
      // a half-built tree: the API cases report it
    }
    if (Netlink) break;
  }
  return {
    NetlinkClient: client.NetlinkClient,
    decodeDatagram: message.decodeDatagram,
    encodeMessage: message.encodeMessage,
    openNativeTransport: nt.openNativeTransport,
    routeProtocol: rt.routeProtocol,
    createFakeTransport: fake.createFakeTransport,
    Netlink,
  };
}
