# language: ar
خاصية: الـ mutating admission بيكمل اللي الـ request ناقصه
  الـ notes بتقول: "بعد كده بتيجي مرحلة الـ Mutating Admission Controller ... لو في bug في الـ object
  specs ممكن ياكل كل الـ resources اللي في الـ cluster .. في المثال ده المسؤول عن تفادي ان ده يحصل حاجة
  اسمها limit range admission controller." بعد الـ authorization، الـ mutating admission plugins ممكن
  تغير في الـ object قبل ما يتعمله validation ويتخزن: الـ pod بتشتغل بالـ `default` service account
  بتاع الـ namespace بتاعها إلا لو سمت واحد تاني، والـ LimitRange بيكتب default requests و limits في
  الـ containers اللي ملهاش، وكل pod بتعمل toleration للـ nodes اللي unreachable أو not-ready لمدة خمس
  دقايق. والـ LimitRange كمان بيحط حد للي الـ pod تقدر تطلبه، والـ ResourceQuota بيحط حد للي الـ
  namespace كله يقدر يستخدمه: الاتنين بيرفضوا بـ 403 Forbidden، والـ message فيها الـ rule.

  @API-04
  سيناريو: الـ pod اللي من غير requests ولا limits بيتكتب فيها الـ defaults بتاعة الـ LimitRange
    بفرض عملت apply للـ manifest بـ kubectl:
      """yaml
      apiVersion: v1
      kind: LimitRange
      metadata:
        name: container-limits
      spec:
        limits:
          - type: Container
            default: {cpu: 500m, memory: 256Mi}
            defaultRequest: {cpu: 100m, memory: 64Mi}
            max: {cpu: "1", memory: 1Gi}
      """
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: plain
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً الـ pod "plain" فيه:
      | spec.containers[0].resources.requests.cpu            | 100m  |
      | spec.containers[0].resources.requests.memory         | 64Mi  |
      | spec.containers[0].resources.limits.cpu              | 500m  |
      | spec.containers[0].resources.limits.memory           | 256Mi |
      | metadata.annotations['kubernetes.io/limit-ranger']   | "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app" |
      | status.qosClass                                      | Burstable |

  @API-04
  سيناريو: الـ pod اللي ممكن تستخدم أكتر من الـ maximum بتاع الـ LimitRange بتترفض، والـ message فيها الـ LimitRange، حتى لو طالبة أقل منه
    بفرض عملت apply للـ manifest بـ kubectl:
      """yaml
      apiVersion: v1
      kind: LimitRange
      metadata:
        name: container-limits
      spec:
        limits:
          - type: Container
            default: {cpu: 500m, memory: 256Mi}
            defaultRequest: {cpu: 100m, memory: 64Mi}
            max: {cpu: "1", memory: 1Gi}
      """
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: greedy
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources:
              requests: {cpu: 500m, memory: 256Mi}
              limits: {cpu: "2", memory: 512Mi}
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message:
      """
      pods "greedy" is forbidden: maximum cpu usage per Container is 1, but limit is 2 (LimitRange "container-limits")
      """
    و الـ pod "greedy" مش موجودة

  @API-04
  سيناريو: الـ pod الجديدة بتشتغل بالـ default service account وبتعمل toleration للـ nodes اللي unreachable لمدة خمس دقايق
    بفرض الـ default not-ready toleration هي الـ default بتاع الـ upstream، 5 دقايق
    و الـ default unreachable toleration هي الـ default بتاع الـ upstream، 5 دقايق
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: plain
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً الـ pod "plain" فيه:
      | spec.serviceAccountName                                              | default  |
      | spec.tolerations[key=node.kubernetes.io/not-ready].tolerationSeconds   | 300      |
      | spec.tolerations[key=node.kubernetes.io/unreachable].tolerationSeconds | 300      |
      | spec.tolerations[key=node.kubernetes.io/unreachable].effect            | NoExecute |

  @API-04 @config
  سيناريو: مدة الـ toleration الـ default الـ cluster هو اللي بيختارها
    بفرض الـ admission configuration بتاعة الـ cluster هي:
      """yaml
      apiVersion: apiserver.config.k8s.io/v1
      kind: AdmissionConfiguration
      plugins:
        - name: DefaultTolerationSeconds
          configuration:
            defaultNotReadyTolerationSeconds: 60
            defaultUnreachableTolerationSeconds: 30
      """
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: quick-to-move
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً الـ pod "quick-to-move" فيه:
      | spec.tolerations[key=node.kubernetes.io/not-ready].tolerationSeconds   | 60 |
      | spec.tolerations[key=node.kubernetes.io/unreachable].tolerationSeconds | 30 |

  @API-04
  سيناريو: الـ ResourceQuota بيرفض الـ pod اللي حتعديه، وبيقول اتستخدم قد إيه والمسموح قد إيه
    بفرض عملت apply للـ manifest بـ kubectl:
      """yaml
      apiVersion: v1
      kind: LimitRange
      metadata:
        name: container-limits
      spec:
        limits:
          - type: Container
            default: {cpu: 500m, memory: 256Mi}
            defaultRequest: {cpu: 100m, memory: 64Mi}
            max: {cpu: "1", memory: 1Gi}
      """
    و عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: compute
      spec:
        hard:
          limits.cpu: "1"
          pods: "5"
      """
    و عملت create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: first
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            resources:
              limits: {cpu: 700m}
      """
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: second
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message:
      """
      pods "second" is forbidden: exceeded quota: compute, requested: limits.cpu=500m, used: limits.cpu=700m, limited: limits.cpu=1
      """
    و خلال 10 ثواني الـ resource quota "compute" يبقى فيه:
      | status.used['limits.cpu'] | 700m |
      | status.used.pods          | 1    |
