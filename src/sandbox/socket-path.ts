// Where the broker's socket appears inside every jail: a fixed path, so a client started with
// `env -i` still finds it. The directory is bind-mounted read-only (connect(2) works on it).
export const SOCKET_DIR_INSIDE = '/run/blastgate';
export const SOCKET_INSIDE = `${SOCKET_DIR_INSIDE}/broker.sock`;
