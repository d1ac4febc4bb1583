/**
 * A tiny UDP/TCP echo that needs no tool but node, for connectivity checks inside namespaces
 * (run through `netns.exec` / `netns.spawn`; see {@link echoArgv} in `./probe.js`).
 *
 * ```
 * node echo.js serve udp|tcp HOST PORT      prints "listening HOST PORT" once bound, then sends
 *                                           every datagram (UDP) or every connection's bytes
 *                                           (TCP) back; exits after 60 s without traffic
 * node echo.js send udp|tcp HOST PORT TEXT  prints the answer; exit 0 when it is TEXT, 1 when it
 *                                           differs, when nothing comes back within 2 s or on a
 *                                           socket error (the reason on stderr)
 * ```
 *
 * Node builtins only, so that it runs from `dist/` after `npm install` and from `src/` under a
 * TypeScript loader alike.
 * @module
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** How long a client waits for its answer. */
const REPLY_TIMEOUT_MS = 2000;
/** A server without traffic for this long exits by itself, so a forgotten one never lingers. */
const IDLE_EXIT_MS = 60_000;

const USAGE = 'usage: echo serve udp|tcp HOST PORT | echo send udp|tcp HOST PORT TEXT';

function fail(message: string, status = 2): never {
  process.stderr.write(`echo: ${message}\n`);
  process.exit(status);
}

function parsePort(text: string | undefined): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`bad port ${JSON.stringify(text)}\n${USAGE}`);
  return port;
}

function serve(proto: string, host: string, port: number): void {
  let idle: ReturnType<typeof setTimeout> | undefined;
  const touch = (): void => {
    if (idle !== undefined) clearTimeout(idle);
    idle = setTimeout(() => process.exit(0), IDLE_EXIT_MS);
  };
  const ready = (): void => {
    process.stdout.write(`listening ${host} ${port}\n`);
    touch();
  };
  if (proto === 'udp') {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    sock.on('error', (e) => fail(e.message, 1));
    sock.on('message', (msg, rinfo) => {
      touch();
      sock.send(msg, rinfo.port, rinfo.address);
    });
    sock.bind(port, host, ready);
  } else {
    const server = net.createServer((s) => {
      touch();
      s.on('error', () => s.destroy());
      s.pipe(s);
    });
    server.on('error', (e) => fail(e.message, 1));
    server.listen(port, host, ready);
  }
}

function send(proto: string, host: string, port: number, text: string): void {
  const timer = setTimeout(() => fail(`no answer from ${host} port ${port}/${proto} within ${REPLY_TIMEOUT_MS} ms`, 1), REPLY_TIMEOUT_MS);
  const done = (answer: string): void => {
    clearTimeout(timer);
    process.stdout.write(`${answer}\n`);
    process.exit(answer === text ? 0 : 1);
  };
  if (proto === 'udp') {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    sock.on('error', (e) => fail(e.message, 1));
    sock.on('message', (msg) => done(msg.toString('utf8')));
    sock.send(text, port, host);
  } else {
    const chunks: Buffer[] = [];
    const s = net.connect(port, host, () => s.end(text));
    s.on('data', (b: Buffer) => chunks.push(b));
    s.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    s.on('error', (e) => fail(e.message, 1));
  }
}

const [mode, proto, host, portText, text] = process.argv.slice(2);
if ((proto !== 'udp' && proto !== 'tcp') || host === undefined) fail(USAGE);
const port = parsePort(portText);
if (mode === 'serve') serve(proto, host, port);
else if (mode === 'send' && text !== undefined) send(proto, host, port, text);
else fail(USAGE);
