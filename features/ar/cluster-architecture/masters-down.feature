# language: ar
@docker @etcd @faults
خاصية: لما كل الـ masters تقع، الـ applications بتفضل ترد والتغييرات بتستنى
  "لكن الـ app traffic بيروح للـ ingress controller ومنه بيوجه الـ traffic ناحية الـ worker nodes ... لكن لو في
  update / scale request محتاج يعمله الـ app فساعتها ده مش حيتم لو الـ master node واقعين كلهم." الـ traffic
  عمره ما بيعدي على الـ control plane: الـ ingress controller والـ service proxy بيبعتوا الـ requests على الـ pods
  اللي على الـ workers على طول، من الـ routes والـ endpoints اللي شافوها آخر مرة. أي تغيير، والـ scale منهم، هو
  request للـ API Server، فلما كل الـ masters تكون واقعة مبيتبعتش أصلاً. وأول ما الـ masters ترجع بيعدي،
  والـ controllers بتنفذه.

  @CP-07
  سيناريو: الـ app بيرد عن طريق الـ ingress وكل الـ masters واقعة؛ والـ scale بيستنى الـ masters
    بطيء: تلات masters بـ stacked etcd بيبدأوا، اتنين containers حقيقيين بيشتغلوا، كل الـ masters بتقف وترجع
    تشتغل، و container تالت بيشتغل.
    بفرض control plane فيه 3 masters بـ stacked etcd
    و عملت apply للـ manifest:
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
                readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
      ---
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: {name: web}
      spec:
        rules:
          - http:
              paths:
                - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
      """
    و خلال 60 ثانية الـ deployment "web" يبقى ليه 2 ready replicas
    و خلال 20 ثانية الـ ingress "web" يرد بـ 200 على "/"
    عندما كل الـ masters وقفت
    اذاً لمدة 5 ثواني الـ ingress "web" يرد بـ 200 على "/" كل مرة
    عندما حاولت اعمل scale للـ deployment "web" لـ 3 replicas
    اذاً الـ scale request موصلش لأي API Server
    عندما كل الـ masters اللي وقفت رجعت اشتغلت
    و عملت scale للـ deployment "web" لـ 3 replicas
    اذاً خلال 60 ثانية الـ deployment "web" يبقى ليه 3 ready replicas
