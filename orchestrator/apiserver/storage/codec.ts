// How objects are kept in the store and sent to clients: the stored value is the object's JSON
// without resourceVersion (the key's mod revision is the resourceVersion, as upstream's etcd3
// store sets it on decode); each stored value is decoded once into a frozen object shared by
// every reader and watcher of it, and encoded for the wire once.

import type { KObject, StoredObject } from '../../api/meta.js'
import type { KeyValue } from '../../store/store.js'

export class StoredCodec {
  /** Encoded-with-resourceVersion JSON per stored value, shared by every watcher of an event. */
  private readonly decoded = new WeakMap<KeyValue, StoredObject>()
  private readonly wire = new WeakMap<KeyValue, string>()
  /** Decoded object -> the stored value it came from, to answer with the shared encoding. */
  private readonly kvOf = new WeakMap<object, KeyValue>()

  /** Decodes a stored value; resourceVersion is the key's mod revision (never stored in the value). */
  decode(kv: KeyValue): StoredObject {
    let o = this.decoded.get(kv)
    if (!o) {
      o = JSON.parse(kv.value) as StoredObject
      o.metadata.resourceVersion = String(kv.modRevision)
      Object.freeze(o)
      this.decoded.set(kv, o)
      this.kvOf.set(o, kv)
    }
    return o
  }

  /**
   * Makes the object just written the decoded form of its stored value (instead of parsing the
   * JSON that was just encoded from it): same content, resourceVersion set, frozen like decode's.
   */
  adopt(kv: KeyValue, o: KObject): StoredObject {
    if (this.decoded.has(kv)) return this.decoded.get(kv)!
    const stored = o as StoredObject
    stored.metadata.resourceVersion = String(kv.modRevision)
    Object.freeze(stored)
    this.decoded.set(kv, stored)
    this.kvOf.set(stored, kv)
    return stored
  }

  /** A mutable copy of a stored value (parsing the stored JSON again is cheaper than a deep clone). */
  decodeCopy(kv: KeyValue): StoredObject {
    const o = JSON.parse(kv.value) as StoredObject
    o.metadata.resourceVersion = String(kv.modRevision)
    return o
  }

  /** The JSON of a stored value as clients see it (with resourceVersion), made once per value. */
  wireJson(kv: KeyValue): string {
    let s = this.wire.get(kv)
    if (s === undefined) {
      s = JSON.stringify(this.decode(kv))
      this.wire.set(kv, s)
    }
    return s
  }

  /** The wire JSON of an object this registry decoded from the store (undefined for others). */
  encodedFor(o: KObject): string | undefined {
    const kv = this.kvOf.get(o)
    return kv ? this.wireJson(kv) : undefined
  }

  /** The value to store: the object without its resourceVersion. */
  encode(o: KObject): string {
    const copy = { ...o, metadata: { ...o.metadata } }
    delete copy.metadata.resourceVersion
    return JSON.stringify(copy)
  }
}
