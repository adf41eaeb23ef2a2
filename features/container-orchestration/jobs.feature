Feature: Jobs run their pods to completion, and stop at their backoffLimit
  "Lifecycle management: containers must be kept healthy and running; start / stop." A Job is
  the lifecycle of work that ends: its controller keeps `parallelism` pods running until
  `completions` of them have exited 0, and replaces a pod that failed (after a back-off) only
  until `backoffLimit` failures; then the Job is Failed. Their containers exit as their command
  says (`sleep 0.5; exit 1`), on any runtime: the simulated one plays such a command as a real
  container runs it.

  @ORCH-04
  Scenario: A Job runs its pods to completion, never more than its parallelism at once
    Given the cluster's timings are:
      | kubelet relist period | 200ms |
    And I watch the pods
    When I create the manifest:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata: {name: batch}
      spec:
        completions: 3
        parallelism: 2
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: work
                image: registry.internal/ock/app:1
                command: [/bin/sh, -c, "sleep 0.5; exit 0"]
      """
    Then within 20s the job "batch" has:
      | status.conditions[type=Complete].status | True |
      | status.succeeded                        | 3    |
      | status.failed                           | <absent> |
    And exactly 3 pods of the job "batch" ran, every one Succeeded
    And at most 2 pods of the job "batch" were active at once, and at one time that many

  @ORCH-04
  Scenario: A failing Job stops at its backoffLimit
    # each pod fails half a second after it starts; the replacements wait 200 ms, then 400 ms
    # (one back-off, then two: on a cluster with upstream's 10 s, 10 s then 20 s)
    Given the cluster's timings are:
      | job pod failure back-off | 200ms |
      | kubelet relist period    | 200ms |
    And I watch the pods
    When I create the manifest:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata: {name: flaky}
      spec:
        backoffLimit: 2
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: work
                image: registry.internal/ock/app:1
                command: [/bin/sh, -c, "sleep 0.5; exit 1"]
      """
    Then within 3 times the job pod failure back-off plus 20s the job "flaky" has:
      | status.conditions[type=Failed].status  | True                 |
      | status.conditions[type=Failed].reason  | BackoffLimitExceeded |
      | status.failed                          | 3                    |
    And for 2s the job "flaky" starts no further pod
    And exactly 3 pods of the job "flaky" ran, every one Failed

  @ORCH-04 @faults
  Scenario: A CronJob starts one Job when its schedule comes due, and none while that one runs under Forbid
    # the cluster's schedule clock (only the CronJob controller reads it) moves instead of the wait
    When I create the manifest:
      """yaml
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: tick}
      spec:
        schedule: "@hourly"
        concurrencyPolicy: Forbid
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: OnFailure
                containers: [{name: work, image: registry.internal/ock/app:1}]
      """
    And the cluster's schedule clock moves forward 1h
    Then within 10s the cron job "tick" has started exactly 1 job
    And within 10s the cron job "tick" has:
      | status.active[0].kind    | Job       |
      | status.lastScheduleTime  | <present> |
    When the cluster's schedule clock moves forward 1h
    Then for 2s the cron job "tick" starts no further job

  @ORCH-04 @docker
  Scenario: On real containers the exit code decides: exit 0 completes a Job, exit 3 fails it
    When I create the manifest:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata: {name: works}
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{name: work, image: registry.internal/ock/tool:1, command: [sh, -c, "exit 0"]}]
      ---
      apiVersion: batch/v1
      kind: Job
      metadata: {name: breaks}
      spec:
        backoffLimit: 0
        template:
          spec:
            restartPolicy: Never
            containers: [{name: work, image: registry.internal/ock/tool:1, command: [sh, -c, "exit 3"]}]
      """
    Then within 30s the job "works" has:
      | status.conditions[type=Complete].status | True |
      | status.succeeded                        | 1    |
    And within 30s the job "breaks" has:
      | status.conditions[type=Failed].reason | BackoffLimitExceeded |
      | status.failed                         | 1                    |
      | status.succeeded                      | <absent>             |
