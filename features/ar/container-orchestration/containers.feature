# language: ar
@docker
خاصية: الـ containers عبارة عن processes: جنب بعض، بتقوم بسرعة، وبتفضل شغالة
  "منقدرش نحط اكتر من app لهم dependecies مختلفة عن بعض" في الـ Legacy Server. "الـ os بيكون booted مرة
  واحدة في الـ container .. لإنه هي process بتيجي لها signal انها تشتغل." "محتاج الـ Life Cycle
  Management .. محتاج الـ containers are healthy and running .. Start / Stop". هنا بنشغل containers
  حقيقية على الـ Docker engine: اتنين images فيهم versions مختلفة من نفس الـ tool بيشتغلوا على
  نفس الـ node، وكل واحد شايف الـ version بتاعته بس؛ الـ pod اللي الـ image بتاعها موجودة على الـ node
  أصلاً بتبقى Ready في خلال ثانيتين، والـ PID 1 بتاعها هو الـ app نفسه مش init system؛ الـ container
  اللي بيفضل يقع بيتعمله restart بـ back-off بيتضاعف لحد cap (CrashLoopBackOff)، على حسب الـ
  restartPolicy بتاعه (Always، و OnFailure: الـ exit الفاشل بس، و Never)، والـ pod لما تتمسح الـ
  containers بتاعتها بتتشال.

  @ORCH-01
  سيناريو: نسختين من نفس الـ tool شغالين جنب بعض على نفس الـ node
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: tool-old, labels: {app: tool-old}}
      spec:
        containers: [{name: tool, image: registry.internal/ock/tool:1}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: tool-new}
      spec:
        affinity:
          podAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              - labelSelector: {matchLabels: {app: tool-old}}
                topologyKey: kubernetes.io/hostname
        containers: [{name: tool, image: registry.internal/ock/tool:2}]
      """
    اذاً خلال 60 ثانية الـ pods "tool-old" و "tool-new" يبقوا Running على نفس الـ node
    عندما شغلت "tool --version" في الـ pod "tool-old"
    اذاً الـ output فيه "tool 1.4.2"
    عندما شغلت "tool --version" في الـ pod "tool-new"
    اذاً الـ output فيه "tool 2.0.1"

  @ORCH-03
  سيناريو: الـ pod اللي الـ image بتاعها موجودة على الـ node بتبقى Ready في خلال 2 ثانية، والـ PID 1 بتاعها هو الـ app
    بفرض كل node شغلت قبل كده pod من الـ image "registry.internal/ock/app:1"
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: web}
      spec:
        containers: [{name: app, image: registry.internal/ock/app:1}]
      """
    اذاً الـ pod "web" تبقى Ready في خلال 2 ثانية من ساعة ما اتعملها create
    و الـ PID 1 جوة الـ pod "web" هو "/bin/sh /bin/app"
    و الـ container runtime مشغل container للـ pod "web"

  @ORCH-04
  سيناريو: الـ container اللي بيفضل يقع بيتعمله restart، وكل مرة بيستنى الضعف، لحد الـ cap
    بطيء: بنستنى خمس restarts، والـ back-off بتاعهم بيتضاعف من 1 ثانية لحد الـ cap اللي هو 3 ثواني.
    # الـ kubelet بتاخد بالها من الـ exit في خلال الـ relist period بتاعتها، وبعدين بتعمل container
    # جديد وتشغله: الـ 2.5 ثانية الزيادة عن الـ cap تحت بتغطي ده وقت الـ load (من غير الـ cap الـ restart
    # الخامس بيستنى 8 ثواني، ولو الـ cap اتطبق قبل التضعيف 6 ثواني)
    بفرض الـ restart back-off بتاع الـ containers في الـ kubelet بيبدأ من 1 ثانية وأقصاه 3 ثواني
    و الـ timings بتاعة الـ cluster:
      | kubelet relist period | 200ms |
    و عامل watch على الـ pods
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: crasher}
      spec:
        restartPolicy: Always
        containers:
          - name: app
            image: registry.internal/ock/app:1
            command: ["/bin/sh", "-c", "echo starting; exit 3"]
      """
    اذاً خلال 3 أضعاف الـ container restart back-off زائد ضعف الـ container restart back-off cap زائد 25 ثانية الـ pod "crasher" يبقى اتعملها restart 5 مرة، كل مرة في container جديد
    و قبل كل restart للـ pod "crasher" كانت مستنية:
      | restart | at least                              | at most                                      |
      | 2       | the container restart back-off        |                                              |
      | 3       | twice the container restart back-off  |                                              |
      | 4       | 3 times the container restart back-off | the container restart back-off cap plus 2.5s |
      | 5       | 3 times the container restart back-off | the container restart back-off cap plus 2.5s |
    و الـ pod "crasher" اتشافت وهي waiting والسبب "CrashLoopBackOff"

  @ORCH-04
  سيناريو: الـ restartPolicy هي اللي بتحدد أنهي exit يتعمله restart
    # كل container بيشتغل ثانية قبل ما يعمل exit، عشان الـ kubelet تكون بلغت انه Running
    بفرض الـ restart back-off بتاع الـ containers في الـ kubelet بيبدأ من 500 مللي ثانية وأقصاه 2 ثانية
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: retry}
      spec:
        restartPolicy: OnFailure
        containers: [{name: app, image: registry.internal/ock/app:1, command: ["/bin/sh", "-c", "sleep 1; exit 3"]}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: done}
      spec:
        restartPolicy: OnFailure
        containers: [{name: app, image: registry.internal/ock/app:1, command: ["/bin/sh", "-c", "sleep 1; exit 0"]}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: failed}
      spec:
        restartPolicy: Never
        containers: [{name: app, image: registry.internal/ock/app:1, command: ["/bin/sh", "-c", "sleep 1; exit 3"]}]
      """
    اذاً خلال 3 أضعاف الـ container restart back-off زائد 25 ثانية الـ pod "retry" يبقى اتعملها restart 2 مرة، كل مرة في container جديد
    و الـ pod "done" فيه:
      | status.phase                                                | Succeeded |
      | status.containerStatuses[0].restartCount                    | 0         |
      | status.containerStatuses[0].state.terminated.exitCode       | 0         |
    و الـ pod "failed" فيه:
      | status.phase                                                | Failed    |
      | status.containerStatuses[0].restartCount                    | 0         |
      | status.containerStatuses[0].state.terminated.exitCode       | 3         |

  @ORCH-04
  سيناريو: لما الـ pod تتمسح الـ containers بتاعتها بتقف وتتشال
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: web}
      spec:
        containers: [{name: app, image: registry.internal/ock/app:1}]
      """
    و خلال 30 ثانية الـ pod "web" تبقى Running
    و الـ container runtime مشغل container للـ pod "web"
    عندما مسحت الـ pod "web"
    اذاً خلال 30 ثانية الـ container runtime ميبقاش فيه ولا container للـ pod "web"
