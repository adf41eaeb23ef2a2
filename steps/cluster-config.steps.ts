// Steps that configure the built-in cluster before it starts (capability @config): its
// admission configuration, its static token file, its audit log. They must come before any
// step that talks to the cluster.

import { Given } from '@cucumber/cucumber'
import type { OckWorld } from '../support/world.js'

function beforeStart(world: OckWorld, what: string): void {
  if (world.started) throw new Error(`${what} must be stated before the cluster is used (move this step up, before any request)`)
}

Given("the cluster's admission configuration is:", function (this: OckWorld, doc: string) {
  beforeStart(this, "the cluster's admission configuration")
  this.topology.admission = doc
})

Given('the cluster accepts the static tokens:', function (this: OckWorld, csv: string) {
  beforeStart(this, 'the static token file')
  this.topology.staticTokens = csv
})

Given('the API server writes an audit log', function (this: OckWorld) {
  beforeStart(this, 'the audit log')
  this.topology.auditLog = true
})
