# language: ar
@docker
خاصية: عمل create لـ object: الـ container runtime، والـ process كلها
  "9- لكن الـ Container Runtime هي اللي حتستلم الـ Request من الـ Kubelet وهي اللي حتعمل الـ Container
  وبكده الـ Deployment والـ Pods اشتغلت." آخر خطوة من التسعة بتحصل على الـ machine نفسها: containers
  حقيقية بتظهر، عليها الـ labels بتاعة الـ pod، وبترد على الـ pod IP؛ وبعدها الـ Deployment بيقول إن كل
  الـ replicas بتاعته available. "Create Object Process: من 1 لـ 9 .. من الـ user لحد الـ Container
  Runtime": الـ trace بتاع create لـ Deployment واحد فيه الخطوات التسعة بالترتيب، والـ report بيرسمهم
  في sequence diagram واحد. الخطوتين 4 و 5 بنتأكد منهم كمان في المكان اللي بيحصلوا فيه: تأكيد الـ ETCD
  عند الـ store، والرد عند الـ user؛ والـ store بيعمل commit لكل write متأخر 300 مللي ثانية (disk بطيء)،
  فالـ API Server اللي يرد قبل ما الـ ETCD يأكد بيبان.

  @FLOW-08
  سيناريو: 9. الـ container runtime بيعمل الـ containers ويشغلها؛ والـ Deployment يبقى available
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
      """
    اذاً خلال 60 ثانية الـ deployment "web" يبقى فيه:
      | status.replicas          | 2 |
      | status.availableReplicas | 2 |
    و الـ container runtime مشغل container لكل pod عليها الـ label "app=web"، وعليه الـ labels بتاعة الـ pod
    و كل pod عليها الـ label "app=web" بترد HTTP على الـ pod IP بتاعها باسمها

  @FLOW-09 @trace @store @faults @diagram:create-object
  سيناريو: الخطوات التسعة بتاعة الـ create لـ Deployment بتحصل بالترتيب
    بفرض الـ store بيعمل commit لكل write متأخر 300 مللي ثانية
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
      """
    اذاً خلال 60 ثانية الـ deployment "web" يبقى ليه 2 ready replicas
    و الـ trace فيه الخطوات التسعة بتاعة الـ create للـ deployment "web"، بالترتيب
