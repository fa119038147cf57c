// Categories 12 and 13 — permessage-deflate (RFC 7692). Reserved until the
// extension is wired into wsx: every parameter combination offered and
// answered, context takeover on and off, RSV1 on a continuation or control
// frame (1002), corrupt deflate data (1007), a compression bomb past
// maxPayload (1009), in both roles. Add the cases to `cases` below; the report
// prints the placeholder text while the list is empty.

export default {
  category: '12',
  title: 'permessage-deflate (categories 12/13)',
  placeholder: 'Not yet run: permessage-deflate is not wired into wsx yet. The cases go in `tests/conformance/cases/permessage-deflate.js`.',
  cases: [],
};
