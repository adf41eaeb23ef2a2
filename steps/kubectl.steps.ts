// Steps that run kubectl against the scenario's cluster, so a feature shows the commands a
// course reader would type, and assert on what kubectl prints.

import { Given, Then, When } from './define.js'
import { expect } from 'chai'
import { expandNamespace } from '../support/expand.js'
import { changesNodes, kubectl } from '../support/kubectl.js'
import { keepNodesAsFound } from '../support/nodeshape.js'
import type { OckWorld } from '../support/world.js'

When(['I run {string}', 'شغلت {string}'], async function (this: OckWorld, command: string) {
  const s = await this.cluster()
  // a node is not the scenario's: on a shared cluster (-p cluster) the nodes it cordons, drains,
  // labels or taints are put back as found when it ends
  if (changesNodes(command)) await keepNodesAsFound(this)
  this.lastCommand = await kubectl(command, s.kubeconfigFile, { images: s.images })
})

When(['I run {string} with:', 'شغلت {string} بالـ input ده:'], async function (this: OckWorld, command: string, input: string) {
  const s = await this.cluster()
  this.lastCommand = await kubectl(command, s.kubeconfigFile, { input, images: s.images })
})

function last(world: OckWorld): NonNullable<OckWorld['lastCommand']> {
  if (!world.lastCommand) throw new Error('no command was run')
  return world.lastCommand
}

Then(['the command succeeds', 'الـ command نجح'], function (this: OckWorld) {
  const c = last(this)
  expect(c.exitCode, `exit code of "${c.command}"; stderr: ${c.stderr}`).to.equal(0)
})

Then(['the command fails saying {string}', 'الـ command فشل وقال {string}'], function (this: OckWorld, fragment: string) {
  const c = last(this)
  expect(c.exitCode, `exit code of "${c.command}"`).to.not.equal(0)
  expect(c.stderr, `stderr of "${c.command}"`).to.include(expandNamespace(fragment, this.currentSession?.namespace))
})

Then(['the output contains {string}', 'الـ output فيه {string}'], function (this: OckWorld, fragment: string) {
  const c = last(this)
  expect(c.stdout, `output of "${c.command}" (stderr: ${c.stderr})`).to.include(expandNamespace(fragment, this.currentSession?.namespace))
})

Then('the output contains:', function (this: OckWorld, text: string) {
  const c = last(this)
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    expect(c.stdout, `output of "${c.command}" (stderr: ${c.stderr})`).to.match(new RegExp(line.split(/\s+/).map(escape).join('\\s+')))
  }
})

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

Given(['I apply the manifest with kubectl:', 'عملت apply للـ manifest بـ kubectl:'], async function (this: OckWorld, doc: string) {
  const s = await this.cluster()
  this.lastCommand = await kubectl('kubectl apply -f -', s.kubeconfigFile, { input: doc, images: s.images })
  const c = this.lastCommand
  expect(c.exitCode, `kubectl apply failed: ${c.stderr}`).to.equal(0)
})
