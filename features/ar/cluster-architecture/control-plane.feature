# language: ar
خاصية: الـ control plane: الكل بيكلم الـ API Server، والـ controllers بتعمل reconcile، والـ Scheduler بيحط الـ pods
  "k8s عبارة عن distributed platform بتتكون من Master as Server و Worker as Client"، والـ API Server هو الـ
  "Communication / Gateway" لكل request. الـ Controller Manager والـ Scheduler وكل kubelet مبيعملوش حاجة غير
  عن طريق API requests، كل واحد بالـ identity بتاعته، والـ API Server بس هو اللي بيكتب في الـ store. الـ Controller
  Manager "بيفضل يقارن بين الـ Current Cluster State ويتأكد انهم Matched": أي drift بيترجع زي ما كان. "الـ
  Scheduler: هو المسؤول عن pod assignment for suitable node. عن طريق factors مختلفة": بيعمل filter للـ nodes
  (الـ resources، الـ node selectors والـ affinity، الـ taints، والـ nodes اللي عليها cordon)، ويدي score للي
  فاضلين، وكل اللي بيعمله انه يسجل قراره كـ binding. "الـ affinity أو anti-affinity يعني هل مجموعة الـ pods شرط
  انها تشتغل مع بعض على نفس الـ node ولا العكس على nodes مختلفة."

  @CP-01 @audit
  سيناريو: كل component بيشتغل عن طريق API requests بالـ identity بتاعته
    مين عمل أنهي request بنقراه من الـ audit log بتاع الـ API Server.
    بفرض الـ API Server بيكتب audit log
    و عملت apply للـ manifest:
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
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    عندما خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app=web" في حالة Running
    اذاً الـ audit log فيه الـ requests دي:
      | user                           | verb   | resource          |
      | kubernetes-admin               | patch  | deployments.apps  |
      | system:kube-controller-manager | create | replicasets.apps  |
      | system:kube-controller-manager | create | pods              |
      | system:kube-scheduler          | create | pods/binding      |
      | system:node:*                  | patch  | pods/status       |
      | system:node:*                  | create | events            |

  @CP-01 @trace @store
  سيناريو: الـ API Server بس هو اللي بيكتب في الـ store، ولـ requests من components اتعملها authentication بس
    بفرض عملت apply للـ manifest:
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
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    عندما خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app=web" في حالة Running
    اذاً كل write في الـ store عملها الـ API Server لـ request اتعمله authentication من واحد من دول:
      | kubernetes-admin               |
      | system:kube-controller-manager |
      | system:kube-scheduler          |
      | system:node:*                  |

  @CP-02
  سيناريو: التعديل بالإيد على ReplicaSet تبع Deployment بيترجع
    بفرض عملت apply للـ manifest:
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
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    و خلال 20 ثانية الـ deployment "web" يبقى ليه 2 ready replicas
    عندما عملت scale للـ replica set بتاعة الـ deployment "web" لـ 5 replicas
    اذاً خلال 20 ثانية الـ replica set بتاعة الـ deployment "web" يبقى فيها:
      | spec.replicas | 2 |
    و خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app=web" في حالة Running

  @CP-02
  سيناريو: الـ ReplicaSet بتاعة Deployment لو اتمسحت بتتعمل تاني، بالـ pods بتاعتها
    بفرض عملت apply للـ manifest:
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
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    و خلال 20 ثانية الـ deployment "web" يبقى ليه 2 ready replicas
    عندما مسحت الـ replica set بتاعة الـ deployment "web"
    اذاً خلال 20 ثانية الـ deployment "web" يبقى ليه replica set جديدة مكان اللي اتمسحت
    و خلال 20 ثانية الـ deployment "web" يبقى ليه 2 ready replicas

  @CP-02
  سيناريو: الـ pod template لما يتغير بيتعمله rollout على كل الـ pods
    بفرض عملت apply للـ manifest:
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
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    و خلال 20 ثانية الـ deployment "web" يبقى ليه 2 ready replicas
    عندما شغلت "kubectl set image deployment/web app=registry.internal/ock/app:2"
    اذاً الـ command نجح
    و خلال 30 ثانية الـ deployment "web" يبقى ليه 2 ready replicas
    و خلال 30 ثانية الـ replica set بتاعة الـ deployment "web" يبقى فيها:
      | spec.template.spec.containers[0].image | registry.internal/ock/app:2 |
      | status.readyReplicas                   | 2                           |
