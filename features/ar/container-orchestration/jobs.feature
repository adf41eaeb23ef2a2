# language: ar
خاصية: الـ Jobs بتشغل الـ pods بتاعتها لحد ما تخلص، وبتقف عند الـ backoffLimit بتاعها
  "محتاج الـ Life Cycle Management .. محتاج الـ containers are healthy and running .. Start / Stop". الـ
  Job هي الـ lifecycle بتاع شغل ليه نهاية: الـ controller بتاعها بيشغل لحد `parallelism` pods في نفس الوقت
  لحد ما `completions` منهم يخلصوا بـ exit 0، ولو pod فشلت بيعمل واحدة بدالها (بعد back-off) لحد ما الـ
  failures يعدوا الـ `backoffLimit`؛ ساعتها الـ Job بتبقى Failed. والـ CronJob بتعمل Job كل ما الـ schedule
  بتاعها ييجي. الـ containers بتعمل exit زي ما الـ command بتاعها بيقول (`sleep 0.5; exit 1`)، على أي runtime:
  الـ simulated runtime بيشغل الـ command ده زي ما الـ container الحقيقي بيشغله.

  @ORCH-04
  سيناريو: الـ Job بتشغل الـ pods بتاعتها لحد ما تخلص، ومفيش أكتر من الـ parallelism بتاعها شغالين مع بعض
    بفرض الـ timings بتاعة الـ cluster:
      | kubelet relist period | 200ms |
    و عامل watch على الـ pods
    عندما عملت create للـ manifest:
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
    اذاً خلال 20 ثانية الـ job "batch" يبقى فيه:
      | status.conditions[type=Complete].status | True |
      | status.succeeded                        | 3    |
      | status.failed                           | <absent> |
    و بالظبط 3 pods بتاعة الـ job "batch" اشتغلوا، وكلهم Succeeded
    و بالكتير 2 pods بتاعة الـ job "batch" كانوا active في نفس الوقت، ومرة وصلوا للعدد ده

  @ORCH-04
  سيناريو: الـ Job اللي بتفشل بتقف عند الـ backoffLimit بتاعها
    # كل pod بتفشل بعد نص ثانية من ما تبدأ؛ اللي بدالها بتستنى 200 مللي ثانية، وبعدين 400
    بفرض الـ timings بتاعة الـ cluster:
      | job pod failure back-off | 200ms |
      | kubelet relist period    | 200ms |
    و عامل watch على الـ pods
    عندما عملت create للـ manifest:
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
    اذاً خلال 3 أضعاف الـ job pod failure back-off زائد 20 ثانية الـ job "flaky" يبقى فيه:
      | status.conditions[type=Failed].status  | True                 |
      | status.conditions[type=Failed].reason  | BackoffLimitExceeded |
      | status.failed                          | 3                    |
    و لمدة 2 ثانية الـ job "flaky" ميشغلش pods تانية
    و بالظبط 3 pods بتاعة الـ job "flaky" اشتغلوا، وكلهم Failed

  @ORCH-04 @faults
  سيناريو: الـ CronJob بتعمل Job واحدة لما الـ schedule بتاعها ييجي، ومبتعملش غيرها طول ما هي شغالة مع Forbid
    # الـ clock بتاعة الـ schedules (الـ CronJob controller بس اللي بيقراها) بتتقدم بدل ما نستنى
    عندما عملت create للـ manifest:
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
    و الـ clock بتاعة الـ schedules في الـ cluster اتقدمت 1 ساعة
    اذاً خلال 10 ثواني الـ cron job "tick" يكون عمل بالظبط 1 jobs
    و خلال 10 ثواني الـ cron job "tick" يبقى فيه:
      | status.active[0].kind    | Job       |
      | status.lastScheduleTime  | <present> |
    عندما الـ clock بتاعة الـ schedules في الـ cluster اتقدمت 1 ساعة
    اذاً لمدة 2 ثانية الـ cron job "tick" ميعملش jobs تانية

  @ORCH-04 @docker
  سيناريو: على containers حقيقية الـ exit code هو اللي بيحكم: exit 0 بيخلص الـ Job، و exit 3 بيفشلها
    عندما عملت create للـ manifest:
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
    اذاً خلال 30 ثانية الـ job "works" يبقى فيه:
      | status.conditions[type=Complete].status | True |
      | status.succeeded                        | 1    |
    و خلال 30 ثانية الـ job "breaks" يبقى فيه:
      | status.conditions[type=Failed].reason | BackoffLimitExceeded |
      | status.failed                         | 1                    |
      | status.succeeded                      | <absent>             |
