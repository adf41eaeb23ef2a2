// The lifecycle every long-running component has (controller manager, scheduler, kubelet):
// start() begins its work against the API server and resolves once it is running; stop()
// ends it and releases what it holds. A leader elector can wrap a Runnable (start it on
// acquiring the lease, stop it on losing it), as controller-runtime's manager does.

export interface Runnable {
  readonly name: string
  start(): Promise<void>
  stop(): Promise<void>
}
