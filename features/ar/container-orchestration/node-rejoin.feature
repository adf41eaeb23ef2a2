# language: ar
@faults
خاصية: الـ node اللي بترجع مبتاخدش pods غير لما الـ checks بتاعتها تعدي
  "بعد ما الـ node بترجع بتكون monitored by k8s وبيتعمل عليها some checks ولما تـ passed .. بتبدأ في
  استقبال / scheduling الـ Pods." الـ node عليها checks طول الوقت، والـ check اللي بيفشل بيبان على الـ Node
  بالسبب بتاعه: الـ kubelet لازم تبعت heartbeats (وإلا Ready=Unknown والـ taint
  node.kubernetes.io/unreachable)، والـ container runtime لازم يرد (وإلا Ready=False والـ taint
  node.kubernetes.io/not-ready)، ومفيش pressure على الـ memory أو الـ disk أو الـ PIDs، والـ version بتاعة
  الـ kubelet لازم تكون مدعومة من الـ control plane (الـ version skew policy). طول ما فيه check فاشل الـ
  scheduler مبيديش الـ node أي pods؛ ولما كل الـ checks تعدي الـ taints بتروح والـ node بترجع تستقبل pods.
  هنا pod متشتغلش غير على "node-2" هي اللي بتوضح ده، وكمان الـ DaemonSet: الـ pod بتاعته بتيجي على الـ node
  لما ترجع، مش قبل كده. الـ timings قصيرة: Lease ثانية واحدة، الـ status
  كل 500 مللي ثانية، و grace period ثانيتين؛ على أي cluster تاني الـ settings بتاعته هي اللي بتتحسب بدل دول
  (الـ target configuration بتاعته بتقول عليها)، والمدد بتاعة الـ conditions والـ taints بتاعة الـ node مكتوبة بيها.

  الخلفية:
    بفرض الـ timings بتاعة الـ cluster:
      | node lease duration          | 1s    |
      | node status update frequency | 500ms |
      | node monitor period          | 500ms |
      | node monitor grace period    | 2s    |

  @ORCH-09
  سيناريو: الـ node اللي الـ kubelet بتاعتها رجعت مبتاخدش pods غير لما ترجع Ready
    بفرض الـ kubelet بتاعة الـ node "node-2" وقفت
    و خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/unreachable:NoSchedule"
    عندما عملت pod اسمها "pinned" متشتغلش غير على الـ node "node-2"
    اذاً خلال 5 ثواني الـ pod "pinned" تفضل Pending والسبب "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) didn't match Pod's node affinity/selector."
    عندما الـ kubelet بتاعة الـ node "node-2" رجعت اشتغلت
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" تبقى Ready ومن غير taints
    و خلال 15 ثانية الـ pod "pinned" تبقى Running

  @ORCH-09
  سيناريو: الـ node اللي الـ container runtime بتاعها مبيردش تبقى NotReady وتقول ليه
    عندما الـ container runtime بتاع الـ node "node-2" بطل يرد
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى فيه:
      | status.conditions[type=Ready].status  | False                                                                                                                              |
      | status.conditions[type=Ready].reason  | KubeletNotReady                                                                                                                    |
      | status.conditions[type=Ready].message | container runtime is down: rpc error: code = Unavailable desc = connection error: the container runtime endpoint does not answer |
    و خلال الـ node monitor period زائد 1500 مللي ثانية الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/not-ready:NoSchedule"
    عندما عملت pod اسمها "pinned" متشتغلش غير على الـ node "node-2"
    اذاً خلال 5 ثواني الـ pod "pinned" تفضل Pending والسبب "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 node(s) didn't match Pod's node affinity/selector."
    عندما الـ container runtime بتاع الـ node "node-2" رجع يرد
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" تبقى Ready ومن غير taints
    و خلال 15 ثانية الـ pod "pinned" تبقى Running

  @ORCH-09
  سيناريو: الـ node اللي عليها disk pressure مبتاخدش pods جديدة لحد ما الـ pressure يخلص
    عندما الـ node "node-2" بقى عليها disk pressure
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى فيه:
      | status.conditions[type=DiskPressure].status | True                   |
      | status.conditions[type=DiskPressure].reason | KubeletHasDiskPressure |
    و خلال الـ node monitor period زائد 1500 مللي ثانية الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/disk-pressure:NoSchedule"
    عندما عملت pod اسمها "pinned" متشتغلش غير على الـ node "node-2"
    اذاً خلال 5 ثواني الـ pod "pinned" تفضل Pending والسبب "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 2 node(s) didn't match Pod's node affinity/selector."
    عندما الـ disk pressure على الـ node "node-2" خلص
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" تبقى Ready ومن غير taints
    و خلال 15 ثانية الـ pod "pinned" تبقى Running

  @ORCH-09
  سيناريو مخطط: الـ kubelet اللي برة الـ version skew policy مبتاخدش pods لحد ما تشتغل بـ version مدعومة (<version>)
    الـ control plane هو v1.32: الـ kubelet ممكن تكون من v1.29 لحد v1.32.
    عندما الـ kubelet بتاعة الـ node "node-2" اتعملها restart بـ version "<version>"
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى فيه:
      | status.nodeInfo.kubeletVersion                     | <version> |
      | status.conditions[type=KubeletVersionSkew].status  | True      |
      | status.conditions[type=KubeletVersionSkew].reason  | <reason>  |
    و خلال الـ node monitor period زائد 1500 مللي ثانية الـ node "node-2" يبقى عليها الـ taint "ock.dev/kubelet-version-skew=<version>:NoSchedule"
    عندما عملت pod اسمها "pinned" متشتغلش غير على الـ node "node-2"
    اذاً خلال 5 ثواني الـ pod "pinned" تفضل Pending والسبب "0/3 nodes are available: 1 node(s) had untolerated taint {ock.dev/kubelet-version-skew: <version>}, 2 node(s) didn't match Pod's node affinity/selector."
    عندما الـ kubelet بتاعة الـ node "node-2" اتعملها restart بالـ version بتاعتها
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" تبقى Ready ومن غير taints
    و خلال 15 ثانية الـ pod "pinned" تبقى Running

    امثلة:
      | why                         | version | reason         |
      | four minor versions older   | v1.28.9 | KubeletTooOld  |
      | newer than the API server   | v1.33.0 | KubeletTooNew  |

  @ORCH-09
  سيناريو: الـ kubelet الأقدم من الـ control plane بـ 3 minor versions مدعومة وبتاخد pods
    عندما الـ kubelet بتاعة الـ node "node-2" اتعملها restart بـ version "v1.29.0"
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى فيه:
      | status.nodeInfo.kubeletVersion | v1.29.0 |
    و لمدة 2 ثانية الـ node "node-2" يفضل فيه:
      | status.conditions[type=KubeletVersionSkew] | <absent> |
      | spec.taints                                | <absent> |
    عندما عملت pod اسمها "pinned" متشتغلش غير على الـ node "node-2"
    اذاً خلال 15 ثانية الـ pod "pinned" تبقى Running

  @ORCH-09 @docker
  سيناريو: على containers حقيقية، الـ node اللي الـ container runtime بتاعها مبيردش مبتاخدش pods لحد ما يرجع يرد
    عندما الـ container runtime بتاع الـ node "node-2" بطل يرد
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/not-ready:NoSchedule"
    عندما عملت pod اسمها "pinned" متشتغلش غير على الـ node "node-2"
    اذاً خلال 5 ثواني الـ pod "pinned" تفضل Pending والسبب "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 node(s) didn't match Pod's node affinity/selector."
    عندما الـ container runtime بتاع الـ node "node-2" رجع يرد
    اذاً خلال الـ node monitor grace period زائد 8 ثواني الـ node "node-2" تبقى Ready ومن غير taints
    و خلال 60 ثانية الـ pod "pinned" تبقى Running
    و كل container ID للـ pods اللي عليها الـ label "app=pinned" بيبدأ بـ "docker://"

  @ORCH-09
  سيناريو: الـ DaemonSet ليه pod على كل node، والـ node اللي بترجع بتاخد الـ pod بتاعتها لما تبقى Ready
    بفرض الـ kubelet بتاعة الـ node "node-2" وقفت
    و خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/unreachable:NoSchedule"
    عندما عملت apply للـ manifest بـ kubectl:
      """yaml
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: agent
      spec:
        selector:
          matchLabels: {app: agent}
        template:
          metadata:
            labels: {app: agent}
          spec:
            containers:
              - name: agent
                image: registry.internal/ock/app:1
      """
    اذاً خلال 10 ثواني يبقى فيه 2 pods عليها الـ label "app=agent" في حالة Running على nodes غير "node-2"
    و لمدة 2 ثانية الـ daemon set "agent" يفضل فيه:
      | status.desiredNumberScheduled | 2 |
      | status.currentNumberScheduled | 2 |
    عندما الـ kubelet بتاعة الـ node "node-2" رجعت اشتغلت
    اذاً خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" تبقى Ready ومن غير taints
    و خلال 15 ثانية يبقى فيه 3 pods عليها الـ label "app=agent" في حالة Running
    و الـ pods اللي عليها الـ label "app=agent" شغالة على 3 nodes مختلفة
    و خلال 5 ثواني الـ daemon set "agent" يبقى فيه:
      | status.desiredNumberScheduled | 3 |
      | status.numberAvailable        | 3 |
