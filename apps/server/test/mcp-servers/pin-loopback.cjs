'use strict';
// Test-only preload (`node --require pin-loopback.cjs ...`) for third-party servers that call
// `listen(PORT)` without a host and so bind every interface. Tests must only ever listen on 127.0.0.1,
// so every TCP listen in the process is rewritten to host 127.0.0.1 (pipes and handles pass through).
// Once bound, the real port goes to stderr as `PIN_LOOPBACK_LISTENING <port>`, which lets the parent
// start the child with PORT=0 (the kernel picks a free port, no pick-then-bind race) and learn the port.
const net = require('node:net');

const MARKER = 'PIN_LOOPBACK_LISTENING';
const originalListen = net.Server.prototype.listen;

function isPipeOrHandle(first) {
  if (first === null || first === undefined) return false;
  if (typeof first === 'string') return !/^\d+$/.test(first);
  if (typeof first === 'object') {
    return (
      first.path !== undefined || first.fd !== undefined || first.handle !== undefined || '_handle' in first
    );
  }
  return false;
}

net.Server.prototype.listen = function pinnedListen(...args) {
  const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
  const first = args[0];
  if (isPipeOrHandle(first)) {
    return originalListen.apply(this, callback ? [...args, callback] : args);
  }
  const options =
    first !== null && typeof first === 'object'
      ? { ...first, host: '127.0.0.1' }
      : { port: Number(first ?? 0), host: '127.0.0.1' };
  this.once('listening', () => {
    const address = this.address();
    if (address && typeof address === 'object') process.stderr.write(`${MARKER} ${address.port}\n`);
  });
  return callback ? originalListen.call(this, options, callback) : originalListen.call(this, options);
};
