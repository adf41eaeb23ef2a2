# language: ar
خاصية: الـ Scheduler بيختار أنسب node لكل pod، بالـ affinity والـ anti-affinity
  "وعندنا كمان الـ Scheduler: هو المسؤول عن pod assignment for suitable node. عن طريق factors مختلفة
  عشان يختار أفضل node يحط الـ pod عليها." بيعمل filter للـ nodes (الـ resources، الـ node selector
  والـ node affinity، الـ taints، والـ nodes اللي عليها cordon)، ويدي score للي فاضلين، وكل اللي بيعمله
  انه يسجل قراره كـ binding. "من ضمن الـ pod specs اللي بيحدد على اساسها الـ scheduler: الـ pod محتاج
  affinity أو anti-affinity يعني هل مجموعة الـ pods شرط انها تشتغل مع بعض على نفس الـ node ولا العكس
  على nodes مختلفة."

  @CP-03
  سيناريو مخطط: الـ Scheduler بيبص بس على الـ nodes اللي بتعدي كل الـ filters (<filter>)
    الـ node "node-2" هي أكتر node مشغولة، فالـ score لوحده كان حيودي الـ pod على node تانية: الـ filter
    بس هو اللي يقدر يجيبها هنا.
    بفرض cluster فيه 3 nodes
    و pod اسمها "busy" طالبة 2 CPU و 4Gi memory ومتعملها bind على الـ node "node-2"
    و الـ node "node-2" عليها الـ label "<label>"
    و خلال 20 ثانية الـ pod "busy" تبقى Running
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: picky
      spec:
        <placement>
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً خلال 20 ثانية الـ pod "picky" تبقى Running
    و الـ pod "picky" شغالة على الـ node "node-2"

    امثلة:
      | filter        | label    | placement                                                                                                                                         |
      | node selector | disk=ssd | nodeSelector: {disk: ssd}                                                                                                                         |
      | node affinity | zone=b   | affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [b]}]}]}}} |

  @CP-03
  سيناريو: الـ taints بتبعد الـ pods اللي معندهاش toleration ليها
    بفرض cluster فيه 3 nodes
    و pod اسمها "busy" طالبة 2 CPU و 4Gi memory ومتعملها bind على الـ node "node-2"
    و الـ node "node-1" عليها الـ taint "dedicated=infra:NoSchedule"
    و الـ node "node-3" عليها الـ taint "dedicated=infra:NoSchedule"
    و خلال 20 ثانية الـ pod "busy" تبقى Running
    عندما عملت pod اسمها "plain" من غير resource requests
    اذاً خلال 20 ثانية الـ pod "plain" تبقى Running
    و الـ pod "plain" شغالة على الـ node "node-2"

  @CP-03
  سيناريو مخطط: الـ pod اللي عندها toleration للـ taint تقدر تستخدم الـ node دي (<toleration>)
    بفرض cluster فيه 2 nodes
    و الـ node "node-1" عليها الـ taint "dedicated=infra:NoSchedule"
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: infra
      spec:
        nodeSelector: {kubernetes.io/hostname: node-1}
        tolerations: [<toleration>]
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً خلال 20 ثانية الـ pod "infra" تبقى Running
    و الـ pod "infra" شغالة على الـ node "node-1"

    امثلة:
      | toleration                                                 |
      | {key: dedicated, operator: Equal, value: infra, effect: NoSchedule} |
      | {key: dedicated, operator: Exists}                         |

  @CP-03
  سيناريو: الـ nodes اللي عليها cordon مبتاخدش pods جديدة
    بفرض cluster فيه 3 nodes
    و pod اسمها "busy" طالبة 2 CPU و 4Gi memory ومتعملها bind على الـ node "node-2"
    و خلال 20 ثانية الـ pod "busy" تبقى Running
    عندما شغلت "kubectl cordon node-1 node-3"
    اذاً الـ command نجح
    عندما عملت pod اسمها "p" من غير resource requests
    اذاً خلال 20 ثانية الـ pod "p" تبقى Running
    و الـ pod "p" شغالة على الـ node "node-2"
    عندما شغلت "kubectl cordon node-2"
    اذاً الـ command نجح
    عندما عملت pod اسمها "q" من غير resource requests
    اذاً خلال 20 ثانية الـ pod "q" تفضل Pending والسبب "0/3 nodes are available: 3 node(s) were unschedulable."

  @CP-03
  سيناريو: من الـ nodes المناسبة، الأقل allocation بتكسب
    الـ node "node-1" فاضل فيها مكان أكتر؛ الـ node "node-2" مليانة أكتر بس الـ CPU والـ memory بتوعها متوازنين، وده
    الـ score بتاع الـ balanced allocation بيحبه: الـ score بتاع الأقل allocation بس هو اللي بيخلي "node-1" تكسب.
    بفرض cluster فيه 2 nodes، كل واحدة فيها 2 CPU و 4Gi memory
    و pod اسمها "light" طالبة 600m CPU ومتعملها bind على الـ node "node-1"
    و pod اسمها "heavy" طالبة 1200m CPU و 2400Mi memory ومتعملها bind على الـ node "node-2"
    و خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app in (light, heavy)" في حالة Running
    عندما عملت pod اسمها "p" من غير resource requests
    اذاً خلال 20 ثانية الـ pod "p" تبقى Running
    و الـ pod "p" شغالة على الـ node "node-1"

  @CP-03 @audit
  سيناريو: الـ Scheduler بيسجل binding بس؛ والـ kubelet بتاعة الـ node دي هي اللي بتشغل الـ pod
    مين كتب إيه بنقراه من الـ audit log بتاع الـ API Server.
    بفرض الـ API Server بيكتب audit log
    عندما عملت pod اسمها "p" من غير resource requests
    اذاً خلال 20 ثانية الـ pod "p" تبقى Running
    و الـ audit log بيقول إن كل pod عليها الـ label "app=p" اتعملها bind مرة واحدة عن طريق pods/binding من "system:kube-scheduler"، بعد ما اتعملها create، ومحدش كتب الـ spec بتاعها
    و الـ audit log بيقول إن "system:kube-scheduler" مكتبش غير bindings و events والـ leader-election lease بتاعه
    و الـ audit log بيقول إن الـ status بتاعة كل pod عليها الـ label "app=p" محدش كتبها غير الـ kubelet بتاعة الـ node بتاعتها

  @CP-04
  سيناريو: الـ required pod affinity بتحط الـ pods في نفس الـ topology domain
    الـ pod "cache" شغالة على أكتر node مشغولة، اللي الـ score لوحده عمره ما كان حيودي pod عليها.
    بفرض cluster فيه 3 nodes
    و pod اسمها "cache" طالبة 2 CPU و 4Gi memory ومتعملها bind على الـ node "node-2"
    و خلال 20 ثانية الـ pod "cache" تبقى Running
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector: {matchLabels: {app: cache}}
                    topologyKey: kubernetes.io/hostname
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    اذاً خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app=web" في حالة Running
    و الـ pods اللي عليها الـ label "app=web" شغالة على نفس الـ node بتاعة الـ pod اللي عليها الـ label "app=cache"

  @CP-04
  سيناريو: الـ required pod affinity لـ zone بتقبل أي node في الـ zone دي، وبس
    الـ node بتاعة الـ pod "cache" عليها cordon، والـ node التانية في نفس الـ zone مشغولة: الـ pods لازم تروح
    عليها برضه، مش على الـ node الفاضية اللي في الـ zone التانية.
    بفرض cluster فيه 3 nodes
    و الـ node "node-1" عليها الـ label "topology.kubernetes.io/zone=a"
    و الـ node "node-2" عليها الـ label "topology.kubernetes.io/zone=a"
    و الـ node "node-3" عليها الـ label "topology.kubernetes.io/zone=b"
    و pod اسمها "cache" من غير resource requests ومتعملها bind على الـ node "node-1"
    و pod اسمها "busy" طالبة 2 CPU و 4Gi memory ومتعملها bind على الـ node "node-2"
    و خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app in (cache, busy)" في حالة Running
    و شغلت "kubectl cordon node-1"
    و الـ command نجح
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector: {matchLabels: {app: cache}}
                    topologyKey: topology.kubernetes.io/zone
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    اذاً خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app=web" في حالة Running
    و 2 من الـ pods اللي عليها الـ label "app=web" شغالة على الـ node "node-2"

  @CP-04
  سيناريو مخطط: الـ required anti-affinity بتحط الـ pods في domains مختلفة، واللي زيادة بيفضل Pending ومعاه السبب (<domain>)
    بفرض cluster فيه 3 nodes
    و الـ node "node-1" عليها الـ label "topology.kubernetes.io/zone=a"
    و الـ node "node-2" عليها الـ label "topology.kubernetes.io/zone=a"
    و الـ node "node-3" عليها الـ label "topology.kubernetes.io/zone=b"
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 4
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAntiAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  - labelSelector: {matchLabels: {app: web}}
                    topologyKey: <topology key>
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    اذاً خلال 20 ثانية يبقى فيه <pending> pods عليها الـ label "app=web" فاضلة Pending والسبب "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
    و خلال 20 ثانية الـ pods اللي عليها الـ label "app=web" تبقى شغالة على <running> nodes مختلفة

    امثلة:
      | domain | topology key                | running | pending |
      | node   | kubernetes.io/hostname      | 3       | 1       |
      | zone   | topology.kubernetes.io/zone | 2       | 2       |

  @CP-04
  سيناريو: الـ preferred anti-affinity بتبعد الـ pods عن بعض من غير ما تمنعها
    الـ node "node-2" مشغولة، فالـ score لوحده كان حيحط كل الـ pods على "node-1"؛ والـ pod التالتة
    مش لاقية node مفيهاش replica، وبرضه بتشتغل.
    بفرض cluster فيه 2 nodes
    و pod اسمها "busy" طالبة 2 CPU و 4Gi memory ومتعملها bind على الـ node "node-2"
    و خلال 20 ثانية الـ pod "busy" تبقى Running
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 3
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAntiAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    podAffinityTerm:
                      labelSelector: {matchLabels: {app: web}}
                      topologyKey: kubernetes.io/hostname
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    اذاً خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ pods اللي عليها الـ label "app=web" متوزعة على 2 nodes، بحد أقصى 2 على الـ node الواحدة

  @CP-04
  سيناريو: الـ preferred affinity بتجيب الـ pods على node مشغولة من غير ما تمنعها
    الـ node بتاعة الـ pod "cache" هي المشغولة أكتر وفيها مكان لـ 2 pods بس: بيروحوا عليها، والـ pod التالتة
    بتشتغل على الـ node التانية بدل ما تستنى.
    بفرض cluster فيه 2 nodes
    و pod اسمها "cache" طالبة 2 CPU و 4Gi memory ومتعملها bind على الـ node "node-2"
    و خلال 20 ثانية الـ pod "cache" تبقى Running
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 3
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            affinity:
              podAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    podAffinityTerm:
                      labelSelector: {matchLabels: {app: cache}}
                      topologyKey: kubernetes.io/hostname
            containers:
              - name: app
                image: registry.internal/ock/app:1
                resources: {requests: {cpu: "1"}}
      """
    اذاً خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و 2 من الـ pods اللي عليها الـ label "app=web" شغالة على الـ node "node-2"
