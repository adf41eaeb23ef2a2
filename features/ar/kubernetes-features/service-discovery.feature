# language: ar
@docker
خاصية: الـ Service هي stable frontend لـ pods بتتغير
  "Services Discovery: بتقوم مقام الـ stable frontend لكل الـ backend على مستوى نفس الـ application
  (دول كده جزء من الـ Service Object)." الـ Service بتختار الـ pods بالـ labels؛ الـ API Server بيديها
  address مبيتغيرش، والـ endpoints controller بيكتب الـ pods الـ ready اللي وراها، والـ service proxy اللي على
  كل node بيوزع الـ connections اللي رايحة للـ address ده عليهم. الـ pods بتروح وتيجي؛ والـ address ثابت.

  @SVC-01
  سيناريو: الـ Service بتفضل بنفس الـ address لما pod بتتعوض، وبتوزع الـ requests على الـ pods بتاعتها
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
      """
    و خلال 60 ثانية الـ deployment "web" يبقى ليه 3 ready replicas
    و خلال 10 ثواني الـ endpoints بتاعة الـ service "web" يبقى فيها الـ pods الـ ready اللي عليها الـ label "app=web"
    عندما مسحت pod من الـ pods اللي عليها الـ label "app=web"
    اذاً خلال 30 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و خلال 30 ثانية الـ endpoints بتاعة الـ service "web" يبقى فيها الـ pods الـ ready اللي عليها الـ label "app=web"
    و الـ service "web" لسه ليها نفس الـ address اللي اخدته لما اتعملها create
    و 30 request لـ "http://web/" بيرد عليهم 2 على الأقل من الـ pods اللي عليها الـ label "app=web"
