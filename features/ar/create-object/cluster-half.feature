# language: ar
خاصية: عمل create لـ object: الجزء اللي بيحصل في الـ cluster
  بعد ما الـ API Server خزن الـ Deployment (الخطوات 1-5)، باقي الخطوات التسعة بتحصل في الـ cluster،
  وكل component بيتصرف على حسب اللي بيشوفه عن طريق الـ API Server: "6- الـ Controller Manager زي باقي
  الـ Components بيـ listen على الـ API Server .. الـ CM حيعمل Create للـ Pods حسب المطلوب منه في الـ
  Deployment Object >> الـ Status بتاعتها Pending لسه not assigned" (عن طريق ReplicaSet). "7- الـ
  Scheduler زيه زي الـ CM بيسمع الـ API Server .. ويختار الـ node .. الـ Scheduler مش مطلوب منه تشغيل
  الـ pod .. كل اللي مطلوب منه يبلغ الـ API Server" (بـ binding بس). "8- الـ Kubelet باستمرار برضه
  سامعة الـ API Server .. حتشغل الـ pods" اللي اتعملها bind على الـ node بتاعتها، وبس. مين كتب إيه، وكل
  component عمل أنهي requests، بنقراه من الـ audit log بتاع الـ API Server، فالسيناريوهات دي بتشتغل على أي
  cluster الـ kit تقدر تقرا الـ audit log بتاعه؛ أما الـ container runtime بتاع كل node اتطلب منه يعمل إيه فده
  باب في الـ cluster اللي جاي مع الـ kit بس.

  الخلفية:
    بفرض الـ API Server بيكتب audit log
    و عامل watch على الـ pods
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
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """

  @FLOW-05 @audit
  سيناريو: 6. الـ Controller Manager بيعمل ReplicaSet والـ pods بتاعتها؛ بيبدأوا Pending من غير node
    اذاً خلال 20 ثانية الـ deployment "web" يبقى ليه replica set ليها 3 pods
    و الـ audit log بيقول إن كل pod عليها الـ label "app=web" اتعملها create من "system:kube-controller-manager"
    و كل pod عليها الـ label "app=web" ظهرت في الأول Pending من غير node، ومن الأول تبع الـ replica set بتاعتها

  @FLOW-06 @audit
  سيناريو: 7. الـ Scheduler بيسجل node لكل pod كـ binding عن طريق الـ API Server، ومبيكتبش أي حاجة تانية عنهم
    اذاً خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ audit log بيقول إن كل pod عليها الـ label "app=web" اتعملها bind مرة واحدة عن طريق pods/binding من "system:kube-scheduler"، بعد ما اتعملها create، ومحدش كتب الـ spec بتاعها
    و الـ audit log بيقول إن "system:kube-scheduler" مكتبش غير bindings و events والـ leader-election lease بتاعه

  @FLOW-07 @audit
  سيناريو: 8. كل Kubelet بتشغل الـ pods اللي اتعملها bind على الـ node بتاعتها، وبس
    اذاً خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ audit log بيقول إن كل kubelet اشتغلت على الـ node بتاعتها والـ pods اللي عليها بس
    و الـ audit log بيقول إن الـ status بتاعة كل pod عليها الـ label "app=web" محدش كتبها غير الـ kubelet بتاعة الـ node بتاعتها

  @FLOW-07 @audit @runtime
  سيناريو: 8. الـ container runtime بتاع كل node بيعمل containers للـ pods اللي اتعملها bind على الـ node دي بس
    اذاً خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ container runtime بتاع كل node عمل containers للـ pods اللي اتعملها bind على الـ node دي بس، ولكل pod عليها الـ label "app=web"
