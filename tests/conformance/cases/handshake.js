// Category 11 — the opening handshake, both roles.

import serverCases from './handshake-server.js';
import clientCases from './handshake-client.js';

export default { category: '11', title: 'Opening handshake', cases: [...serverCases, ...clientCases] };
