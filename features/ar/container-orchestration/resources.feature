# language: ar
خاصية: الـ pod بتاخد اللي بتطلبه، والـ scheduler بيحطها في المكان اللي يساعها
  "مش بحجز resources في الـ container عشان هو في نظر الـ kernel ... بتاخد الـ resources اللي محتاجها". في
  الـ Kubernetes الـ resource requests بتاعة الـ pod هي اللي الـ scheduler بيحسبها من الـ allocatable
  capacity بتاعة الـ node: الـ pod اللي من غير requests بتبقى BestEffort ومبتحجزش حاجة، والـ pod اللي ليها
  requests بتاخدهم من الـ node. "لو في ماشين خلاص بقت full utilized" لازم tool تعمل scheduling على ماشين
  تانية: الـ pod بتروح لـ node لسه فيها مكان، ولو مفيش ولا node فيها مكان بتستنى Pending، وبتقول السبب.

  @ORCH-02
  سيناريو مخطط: الـ QoS class بيمشي على حسب الـ requests والـ limits (<class>: <الحالة>)
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: app
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources: <resources>
      """
    اذاً خلال 20 ثانية الـ pod "app" تبقى Running
    و الـ pod "app" فيه:
      | status.qosClass | <class> |

    امثلة:
      | class      | الحالة                                     | resources                                                                 |
      | BestEffort | من غير requests ولا limits                 | {}                                                                        |
      | Burstable  | requests بس                                | {requests: {cpu: 250m}}                                                   |
      | Burstable  | الـ CPU عليه limit، والـ memory لأ           | {requests: {cpu: 250m}, limits: {cpu: 250m}}                              |
      | Burstable  | الـ requests أقل من الـ limits               | {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 250m, memory: 64Mi}}  |
      | Guaranteed | الـ requests قد الـ limits                   | {requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: 250m, memory: 64Mi}}  |
      | Guaranteed | limits بس (والـ requests بتتاخد منها)        | {limits: {cpu: 250m, memory: 64Mi}}                                       |

  @ORCH-02
  سيناريو مخطط: الـ requests بس هي اللي بتاخد من الـ capacity بتاعة الـ node، زي ما الـ scheduler بيحسبها (<الحالة>)
    اللي الـ node بتقول انه allocatable، ناقص اللي طلبته الـ pods اللي ليها requests، هو اللي الـ scheduler لسه
    بيديه هناك: الـ pod اللي طالبة ده بالظبط بتدخل جنب pod من غير requests، وبعدها ولا millicore زيادة بيدخل.
    بفرض cluster فيه 1 node، كل واحدة فيها 2 CPU و 4Gi memory
    اذاً الـ node "node-1" فيه:
      | status.allocatable.cpu    | 2   |
      | status.allocatable.memory | 4Gi |
    عندما عملت pod اسمها "best-effort" من غير resource requests
    و عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: sized
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources: <resources>
      """
    اذاً خلال 20 ثانية الـ pod "best-effort" تبقى Running
    و خلال 20 ثانية الـ pod "sized" تبقى Running
    و الـ pod "best-effort" فيه:
      | status.qosClass | BestEffort |
    عندما عملت pod اسمها "rest" طالبة 1500m CPU و 3Gi memory
    اذاً خلال 20 ثانية الـ pod "rest" تبقى Running
    عندما عملت pod اسمها "one-more" طالبة 1m CPU و 1Mi memory
    اذاً خلال 20 ثانية الـ pod "one-more" تفضل Pending والسبب "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory."

    امثلة:
      | الحالة                                | resources                               |
      | الـ requests                          | {requests: {cpu: 500m, memory: 1Gi}}    |
      | الـ limits، وهي نفسها الـ requests بتاعتها | {limits: {cpu: 500m, memory: 1Gi}}      |

  @ORCH-05 @CP-03
  سيناريو مخطط: لما الـ node تتملي، الـ pod اللي بعدها بتروح على node لسه فيها مكان، حتى لو بتحبها أقل (<resource>)
    الـ pod الجديدة بتفضل "node-1"، فالـ check بتاع الـ resources بس هو اللي ممكن يوديها حتة تانية: scheduler
    ناسي الـ pods اللي على "node-1" واخدة قد ايه كان حيحطها هناك.
    بفرض cluster فيه 2 nodes، كل واحدة فيها 1 CPU و 2Gi memory
    و pod اسمها "first" طالبة <المحجوز> ومتعملها bind على الـ node "node-1"
    و خلال 20 ثانية الـ pod "first" تبقى Running
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: second
      spec:
        affinity:
          nodeAffinity:
            preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 100
                preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-1]}]}
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources: {requests: <requests>}
      """
    اذاً خلال 20 ثانية الـ pod "second" تبقى Running
    و الـ pod "second" شغالة على الـ node "node-2"

    امثلة:
      | resource | المحجوز                    | requests      |
      | cpu      | 800m CPU و 100Mi memory    | {cpu: 800m}   |
      | memory   | 100m CPU و 1536Mi memory   | {memory: 1Gi} |

  @ORCH-05
  سيناريو: لما مفيش ولا node فاضل فيها مكان، الـ pod بتفضل Pending وبتقول ليه
    كل node مستخدمة جزء منها بس، ولو كانت فاضية كانت حتاخد الـ pod: اللي الـ pods بتاعتها واخداه مسابش
    كفاية. والـ pod اللي محتاجة اللي فاضل بالظبط لسه بتدخل.
    بفرض cluster فيه 3 nodes، كل واحدة فيها 1 CPU
    و pod اسمها "a" طالبة 600m CPU ومتعملها bind على الـ node "node-1"
    و pod اسمها "b" طالبة 600m CPU ومتعملها bind على الـ node "node-2"
    و pod اسمها "c" طالبة 600m CPU ومتعملها bind على الـ node "node-3"
    و خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app in (a, b, c)" في حالة Running
    عندما عملت pod اسمها "late" طالبة 500m CPU
    اذاً خلال 20 ثانية الـ pod "late" تفضل Pending والسبب "0/3 nodes are available: 3 Insufficient cpu."
    و لمدة 2 ثانية الـ pod "late" يفضل فيه:
      | spec.nodeName | <absent> |
    عندما عملت pod اسمها "exact" طالبة 400m CPU
    اذاً خلال 20 ثانية الـ pod "exact" تبقى Running

  @ORCH-05
  سيناريو: لما مفيش ولا node كبيرة كفاية، الـ pod بتفضل Pending وبتقول ليه
    بفرض cluster فيه 3 nodes، كل واحدة فيها 1 CPU
    عندما عملت pod اسمها "huge" طالبة 2 CPU
    اذاً خلال 20 ثانية الـ pod "huge" تفضل Pending والسبب "0/3 nodes are available: 3 Insufficient cpu."
    و لمدة 2 ثانية الـ pod "huge" يفضل فيه:
      | spec.nodeName | <absent> |
