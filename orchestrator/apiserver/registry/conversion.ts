// Serving a kind in a version other than the one it is stored in: a request in that version is
// decoded and checked as that version, converted to the stored version before the registry sees
// it, and every object the registry answers with (get, list items, watch events, writes) is
// converted back. Mirrors the codec upstream's REST handlers wrap around the storage
// (k8s.io/apiserver/pkg/endpoints/handlers with runtime.UnsafeObjectConvertor): one stored
// version, conversion on the way in and out; the conversion functions themselves are the kind's
// (Strategy.conversions, upstream's pkg/apis/<group>/<version>/conversion.go). Kind-agnostic.
// Simplifies: conversion goes straight between the served and the stored version (no internal
// hub version); Tables are printed from the stored object, as upstream prints the internal one.

import type { KObject } from '../../api/meta.js'
import { apiVersionOf, servesVersion, type ResourceInfo } from '../../api/resources.js'
import { checkBody } from './typemeta.js'
import type { RequestContext, Strategy } from './strategy.js'
import { decodeObject } from './validation.js'

/** A request's version of a resource whose objects are stored in another version. */
export interface RequestVersion {
  /** The resource as the request names it (its `version` is the request's). */
  readonly view: ResourceInfo
  /** A stored object (or a list item, or a watch event's object) as the request's version shows it. */
  out(o: KObject): KObject
  /**
   * A body of the request's version, checked (type meta, namespace, name) and decoded (unknown
   * fields, under ctx.fieldValidation) as that version, then converted to the stored version.
   */
  in(ctx: RequestContext, namespace: string, body: unknown, expectName?: string): Promise<KObject>
  /** A patched object of the request's version converted to the stored version (checked as that version). */
  inSync(namespace: string, body: unknown, expectName?: string): KObject
}

/**
 * The conversion of a request in `version` of `info` (a version the resource is served in:
 * the caller answers 404 for others); undefined when the version is the stored one.
 */
export function requestVersion(info: ResourceInfo, strategy: Strategy, version: string): RequestVersion | undefined {
  if (version === info.version) return undefined
  const conv = strategy.conversions?.[version]
  if (!servesVersion(info, version) || !conv) throw new Error(`${info.kind} is served in ${version} without a conversion from ${info.version}`)
  const view: ResourceInfo = { ...info, version }
  const storedApiVersion = apiVersionOf(info)
  const toStored = (o: KObject): KObject => ({ ...conv.toStored(structuredClone(o)), apiVersion: storedApiVersion, kind: info.kind })
  return {
    view,
    out: (o) => ({ ...conv.fromStored(structuredClone(o)), apiVersion: apiVersionOf(view), kind: info.kind }),
    async in(ctx, namespace, body, expectName) {
      const o = checkBody(view, namespace, body, expectName)
      await decodeObject(view.group, view.version, view.kind, o, ctx.fieldValidation ?? 'Warn', (m) => ctx.warn?.(m))
      return toStored(o)
    },
    inSync: (namespace, body, expectName) => toStored(checkBody(view, namespace, body, expectName)),
  }
}

/** Converts a stored list (its items and apiVersion) to the request's version. */
export function listOut<L extends { apiVersion?: string; items: KObject[] }>(rv: RequestVersion, list: L): L {
  return { ...list, apiVersion: apiVersionOf(rv.view), items: list.items.map((o) => rv.out(o)) }
}
