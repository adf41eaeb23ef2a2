# language: ar
خاصية: الـ node بتطلع بالـ drain، في حدود الـ disruption budgets
  "كمان الـ k8s مش بيـ manage pods فقط ... كمان بيـ manage nodes ... لو عندي node عاوز اخرجها ...
  running pods on current node to the another node". الـ drain للـ node بيعمل لها cordon الأول
  (spec.unschedulable، واللي الـ node lifecycle controller بيحوله لـ taint
  node.kubernetes.io/unschedulable:NoSchedule)، وبعدين بيعمل evict للـ pods بتاعتها عن طريق الـ Eviction
  API: الـ controllers بتاعتها بتعملها تاني على nodes تانية. الـ eviction اللي حتسيب pods healthy أقل
  من اللي الـ PodDisruptionBudget طالبه بيترفض بـ 429 TooManyRequests، والـ drain بيعيد لحد ما الـ budget
  يسمح. الـ uncordon بيرجع الـ node تستقبل pods. الـ pod بتاعة الـ DaemonSet مبيتعملهاش evict: الـ kubectl
  drain بيقف عندها إلا لو قلناله --ignore-daemonsets، وبتفضل مكانها، لأن كل daemon pod بتعمل tolerate للـ
  taint بتاع الـ unschedulable. الـ drain بيشتغل على containers حقيقية كمان (@docker).

  الخلفية:
    بفرض شغلت "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    و خلال 60 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ pods اللي عليها الـ label "app=web" شغالة على 3 nodes مختلفة

  @ORCH-07
  سيناريو: الـ kubectl drain بينقل الـ pods بتاعة الـ node لمكان تاني، والـ kubectl uncordon بيرجع الـ node
    عندما شغلت "kubectl drain node-2 --ignore-daemonsets"
    اذاً الـ command نجح
    و الـ output فيه "node/node-2 drained"
    و خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running على nodes غير "node-2"
    و خلال 5 ثواني الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/unschedulable:NoSchedule"
    عندما شغلت "kubectl uncordon node-2"
    اذاً خلال 5 ثواني الـ node "node-2" تبقى Ready ومن غير taints

  @ORCH-07 @docker
  سيناريو: على containers حقيقية، الـ kubectl drain بيوقف الـ containers بتاعة الـ node والـ pods اللي بتعوضها بتشتغل في مكان تاني
    بفرض الـ container runtime مشغل 1 container على الـ node "node-2"
    عندما شغلت "kubectl drain node-2 --ignore-daemonsets"
    اذاً الـ command نجح
    و خلال 60 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running على nodes غير "node-2"
    و كل container ID للـ pods اللي عليها الـ label "app=web" بيبدأ بـ "docker://"
    و خلال 30 ثانية الـ container runtime ميبقاش فيه ولا container على الـ node "node-2"

  @ORCH-07
  سيناريو: الـ eviction اللي تكسر الـ disruption budget بتترفض بـ 429
    بفرض شغلت "kubectl create poddisruptionbudget web --selector=app=web --min-available=3"
    و خلال 10 ثواني الـ pod disruption budget "web" يبقى فيه:
      | status.expectedPods       | 3 |
      | status.currentHealthy     | 3 |
      | status.desiredHealthy     | 3 |
      | status.disruptionsAllowed | 0 |
    عندما حاولت اعمل evict لـ pod من الـ pods اللي عليها الـ label "app=web"
    اذاً الـ request اترفض بـ 429 TooManyRequests والـ message:
      """
      Cannot evict pod as it would violate the pod's disruption budget.
      """
    و الـ rejection فيه الـ cause DisruptionBudget: "The disruption budget web needs 3 healthy pods and has 3 currently"

  @ORCH-07
  سيناريو: الـ eviction اللي الـ budget بيسمح بيها بتمسح الـ pod، والـ controller بتاعها بيعوضها
    بفرض شغلت "kubectl create poddisruptionbudget web --selector=app=web --max-unavailable=1"
    و خلال 10 ثواني الـ pod disruption budget "web" يبقى فيه:
      | status.desiredHealthy     | 2 |
      | status.disruptionsAllowed | 1 |
    عندما عملت evict لـ pod من الـ pods اللي عليها الـ label "app=web"
    اذاً خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ pod اللي اتمسحت اتعوضت بـ pod ليها name و uid جداد

  @ORCH-07
  سيناريو: الـ kubectl drain بيقف بسبب الـ disruption budget، ويخلص أول ما يسمح
    بفرض شغلت "kubectl create poddisruptionbudget web --selector=app=web --min-available=3"
    و خلال 10 ثواني الـ pod disruption budget "web" يبقى فيه:
      | status.disruptionsAllowed | 0 |
    عندما شغلت "kubectl drain node-2 --ignore-daemonsets --timeout=3s"
    اذاً الـ command فشل وقال "Cannot evict pod as it would violate the pod's disruption budget."
    عندما شغلت "kubectl scale deployment web --replicas=4"
    و خلال 20 ثانية الـ pod disruption budget "web" يبقى فيه:
      | status.currentHealthy     | 4 |
      | status.disruptionsAllowed | 1 |
    و شغلت "kubectl drain node-2 --ignore-daemonsets"
    اذاً الـ command نجح
    و خلال 20 ثانية يبقى فيه 4 pods عليها الـ label "app=web" في حالة Running على nodes غير "node-2"

  @ORCH-07
  سيناريو: الـ drain بيستنى طول ما الـ budget مش سامح بأي disruption، ويكمل أول ما يسمح
    بفرض شغلت "kubectl create poddisruptionbudget web --selector=app=web --min-available=3"
    و خلال 10 ثواني الـ pod disruption budget "web" يبقى فيه:
      | status.disruptionsAllowed | 0 |
    عندما بدأت اعمل drain للـ node "node-2"، وبعيد الـ evictions اللي اترفضت كل 500 مللي ثانية
    اذاً لمدة 2 ثانية الـ drain بتاع الـ node "node-2" يفضل واقف بسبب الـ disruption budget "web"
    عندما شغلت "kubectl scale deployment web --replicas=4"
    اذاً خلال 20 ثانية الـ node "node-2" يبقى اتعملها drain
    و خلال 20 ثانية يبقى فيه 4 pods عليها الـ label "app=web" في حالة Running على nodes غير "node-2"

  @ORCH-07
  سيناريو: الـ kubectl drain بيسيب الـ pod بتاعة الـ DaemonSet بس مع --ignore-daemonsets، والـ node اللي اتعملها drain بتفضل شايلاها
    بفرض عملت apply للـ manifest بـ kubectl:
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
    و خلال 15 ثانية يبقى فيه 3 pods عليها الـ label "app=agent" في حالة Running
    و الـ pods اللي عليها الـ label "app=agent" شغالة على 3 nodes مختلفة
    عندما شغلت "kubectl drain node-2"
    اذاً الـ command فشل وقال "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
    عندما شغلت "kubectl drain node-2 --ignore-daemonsets"
    اذاً الـ command نجح
    و الـ output فيه "node/node-2 drained"
    و خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running على nodes غير "node-2"
    و لمدة 2 ثانية الـ daemon set "agent" يفضل فيه:
      | status.desiredNumberScheduled | 3 |
      | status.currentNumberScheduled | 3 |
      | status.numberReady            | 3 |
      | status.numberMisscheduled     | 0 |
    و 1 من الـ pods اللي عليها الـ label "app=agent" شغالة على الـ node "node-2"
