import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { controlPlaneMismatch } from './shape.js'
import type { ControlPlaneShape } from './target.js'

const master = (name: string) => ({ name, apiServer: `https://${name}:6443`, up: true, etcdEndpoints: [] })
const stacked: ControlPlaneShape = {
  store: 'etcd',
  etcdTopology: 'stacked',
  masters: ['master-0', 'master-1', 'master-2'].map(master),
  etcdMembers: [],
}

describe("whether a shared cluster's control plane is the one a scenario asks for", () => {
  it('serves the shape the cluster has', () => assert.equal(controlPlaneMismatch(stacked, { masters: 3, etcdTopology: 'stacked' }), undefined))
  it('refuses another number of masters, naming them', () =>
    assert.equal(
      controlPlaneMismatch(stacked, { masters: 2, etcdTopology: 'stacked' }),
      'the cluster has 3 masters (master-0, master-1, master-2); this scenario needs 2 masters with stacked etcd',
    ))
  it('refuses the other etcd topology', () =>
    assert.equal(
      controlPlaneMismatch(stacked, { masters: 3, etcdTopology: 'external' }),
      "the cluster's etcd is stacked; this scenario needs 3 masters with external etcd",
    ))
  it('refuses a control plane whose etcd is not described', () =>
    assert.equal(
      controlPlaneMismatch({ ...stacked, store: 'memory', etcdTopology: undefined }, { masters: 3, etcdTopology: 'stacked' }),
      "the cluster's etcd is not described (no controlPlane.etcdTopology); this scenario needs 3 masters with stacked etcd",
    ))
  it('says what the configuration lacks when it describes no control plane', () =>
    assert.equal(
      controlPlaneMismatch(undefined, { masters: 3, etcdTopology: 'stacked' }, '/c.yaml'),
      'the target configuration (/c.yaml) describes no `controlPlane` (masters, their API servers, etcd), so the kit cannot tell whether the cluster has the shape this scenario needs: 3 masters with stacked etcd',
    ))
})
