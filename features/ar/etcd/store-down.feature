# language: ar
@etcd @faults
خاصية: لما etcd يقع، الـ cluster كله بيقع
  "Etcd مش مقبول انها تكون down تحت اي ظرف": لو وقعت يبقى الـ cluster كله down. الـ API Server معندوش
  state خاص بيه: لو كل الـ etcd members وقعوا مبيقدرش يقبل أي تغيير، فبيرد على الـ writes بـ Status واضح
  فيه اسم الـ operation (في الـ upstream: 500 ServerTimeout)، والـ controllers، اللي مبتعملش حاجة غير عن طريق
  الـ API، مبتتقدمش خطوة. الـ request اللي اترفض مبيسيبش حاجة متكتبة نصها، وأول ما etcd يرجع الـ controllers
  بتكمل من مكان ما وقفت. اللي شغال أصلاً مش شغلة الـ API: الـ kubelets بتفضل مشغلة الـ containers بتاعتها
  والـ ingress بيفضل يبعت الـ traffic ليهم. الـ API Server بيستنى etcd 4 ثواني بس قبل ما يستسلم (مش الـ 8
  ثواني الـ default، عشان الانتظار يبقى قصير).

  الخلفية:
    بفرض الـ timings بتاعة الـ cluster:
      | storage timeout | 4s |

  @ETCD-01
  سيناريو: الـ write وetcd واقع بيترفض بـ Status واضح ومبيسيبش حاجة وراه
    عندما اتعمل kill لكل الـ etcd members
    و حاولت اعمل create لـ configmap من الـ body:
      """json
      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}, "data": {"k": "v"}}
      """
    اذاً الـ request اترفض بـ 500 ServerTimeout والـ message فيها "The create operation against configmaps could not be completed at this time"
    عندما اتعمل restart لكل الـ etcd members اللي اتعملها kill
    اذاً الـ writes عن طريق الـ API بتنجح
    و لمدة 3 ثواني الـ configmap "late" مش موجودة

  @ETCD-01 @audit
  سيناريو: الـ controllers مبتتقدمش خطوة وetcd واقع، وبتخلص شغلها بعد ما يرجع
    بطيء: etcd بيفضل واقع 6 ثواني عن قصد، وبعدين الـ members بترجع تشتغل والـ namespace controller
    بيخلص شغله.
    بفرض الـ API Server بيكتب audit log
    و مدة الـ leader election lease هي 4 ثواني، والـ renew deadline 3 ثواني، والـ retry period 1 ثانية
    و الـ Controller Manager وقف
    و الـ namespace "doomed" اللي فيها configmap بتتمسح
    عندما اتعمل kill لكل الـ etcd members
    و الـ Controller Manager اشتغل
    اذاً لمدة 6 ثواني مفيش write باسم "system:kube-controller-manager" بتنجح، والـ requests بتاعته بتفشل
    عندما اتعمل restart لكل الـ etcd members اللي اتعملها kill
    اذاً خلال 30 ثانية الـ namespace "doomed" مبقتش موجودة

  @ETCD-01 @docker
  سيناريو: الـ pods بتفضل شغالة وبترد وetcd واقع
    بطيء: اتنين containers حقيقيين بيشتغلوا، وبعدين كل الـ etcd members بتفضل واقعة واحنا بنشيك على
    الـ app، وبعدين بترجع.
    بفرض عملت apply للـ manifest:
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
        defaultBackend: {service: {name: web, port: {name: http}}}
      """
    و خلال 60 ثانية الـ deployment "web" يبقى ليه 2 ready replicas
    و خلال 20 ثانية الـ ingress "web" يرد بـ 200 على "/"
    و سجلت الـ containers اللي الـ runtime مشغلها للـ pods اللي عليها الـ label "app=web"
    عندما اتعمل kill لكل الـ etcd members
    اذاً خلال 10 ثواني الـ writes عن طريق الـ API تفشل بـ storage error فيه اسم الـ operation
    و لمدة 5 ثواني الـ container runtime يفضل مشغل الـ containers دي
    و لمدة 3 ثواني الـ ingress "web" يرد بـ 200 على "/" كل مرة
