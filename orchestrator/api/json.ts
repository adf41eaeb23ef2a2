// JSON text as Go's encoding/json writes it, for answers that must match kube-apiserver's byte
// for byte. Both json.Marshal and json.Encoder escape "<", ">" and "&" (the encoder's
// SetEscapeHTML is on unless turned off, and apimachinery never turns it off) and U+2028 / U+2029
// as \u003c, \u003e, \u0026, \u2028, \u2029; json.Encoder.Encode also ends every value with
// "\n". The API server's serializer (k8s.io/apimachinery/pkg/runtime/serializer/json,
// Serializer.doEncode) writes every object, list, Table, discovery document and Status with
// json.NewEncoder(w).Encode(obj) (its streaming list encoder ends with "}\n" to match), so
// every such answer ends with a newline; a watch event is one such value, newline-framed.
// Those characters only ever occur inside JSON strings, so escaping the text is exact.
// Simplifies: a lone surrogate stays escaped as JSON.stringify writes it (Go writes U+FFFD).

const GO_ESCAPED = /[<>&\u2028\u2029]/g

const hex4 = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/** JSON text as json.Marshal writes it: JSON.stringify's text with Go's HTML escapes. */
export function goJson(text: string): string {
  // most answers have none: a test is cheaper than a replace that allocates
  GO_ESCAPED.lastIndex = 0
  return GO_ESCAPED.test(text) ? text.replace(GO_ESCAPED, hex4) : text
}

/** JSON text as json.Encoder.Encode writes it (the API server's serializer): goJson and "\n". */
export function goJsonLine(text: string): string {
  return `${goJson(text)}\n`
}
