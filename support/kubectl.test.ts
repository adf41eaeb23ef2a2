import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { changesNodes } from './kubectl.js'

describe("kubectl command lines that change nodes' labels, taints or cordon", () => {
  const table: [string, boolean][] = [
    ['kubectl cordon node-1 node-3', true],
    ['kubectl drain node-2 --ignore-daemonsets', true],
    ['kubectl uncordon node-2', true],
    ['kubectl taint nodes node-1 dedicated=infra:NoSchedule', true],
    ['kubectl label nodes node-1 disk=ssd', true],
    ['kubectl label --overwrite node/node-1 disk=ssd', true],
    ['kubectl label pods web-1 tier=front', false],
    ['kubectl get nodes', false],
    ['kubectl describe node node-1', false],
  ]
  for (const [line, changes] of table) it(line, () => assert.equal(changesNodes(line), changes))
})
