# language: ar
@etcd @faults @audit
خاصية: كذا master بيخدموا cluster واحد
  "كام master node بيكون على حسب حجم الـ traffic ... اللي بيجي على api server". كذا API Server بيخدموا نفس
  الـ cluster ورا address واحد عليه load balancer، فلو واحد وقع الـ API بيفضل available. الـ controllers والـ
  Scheduler مينفعش يعملوا نفس الحاجة مرتين، فعلى كل master فيه Controller Manager و Scheduler كل واحد فيهم بيحاول
  ياخد Lease، واللي ماسكها بس هو اللي بيشتغل؛ ولما يقع، واحد standby بياخد الـ Lease أول ما تخلص ويكمل. الـ API
  Server بتاع كل master بيكتب الـ audit log بتاعه، والـ components بتاعة كل master بتكلم الـ API Server بتاعها
  (زي ما kubeadm بيظبطهم)، فالـ log اللي فيه الـ request بيقول أنهي API Server رد عليه، والـ log اللي فيه write
  بتاع component بيقول الـ component بتاع أنهي master هو اللي كتب.

  @CP-06
  سيناريو: لو API Server واحد وقع، الـ API بيفضل available عن طريق الـ load balancer
    بفرض control plane فيه 3 masters بـ stacked etcd
    و الـ API Server بيكتب audit log
    اذاً 30 request ورا بعض عن طريق الـ cluster address بينجحوا، ورد عليهم 3 API Servers
    عندما اتعمل kill للـ API Server بتاع "master-0"
    اذاً 30 request ورا بعض عن طريق الـ cluster address بينجحوا، ورد عليهم 2 API Servers
    و الـ writes عن طريق الـ API بتنجح

  @CP-06
  سيناريو: Controller Manager standby بياخد مكانه عن طريق الـ Lease، واللي ماسكها بس هو اللي بيشتغل
    بطيء: تلات masters بـ stacked etcd بيبدأوا، والـ standby بيستنى الـ Lease (4 ثواني) بتاعة الـ Controller
    Manager اللي بياخد مكانه لحد ما تخلص.
    بفرض control plane فيه 3 masters بـ stacked etcd
    و الـ API Server بيكتب audit log
    و مدة الـ leader election lease هي 4 ثواني، والـ renew deadline 3 ثواني، والـ retry period 1 ثانية
    اذاً الـ Lease "kube-controller-manager" في "kube-system" فيها اسم الـ Controller Manager الـ active
    عندما اتعمل kill للـ Controller Manager الـ active
    اذاً خلال الـ leader election lease duration زائد 6 ثواني الـ Lease "kube-controller-manager" في "kube-system" يبقى فيها اسم holder تاني
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: scratch
      """
    و مسحت الـ namespace "scratch"
    اذاً خلال 10 ثواني الـ namespace "scratch" مبقتش موجودة
    و الـ master اللي ماسك الـ Lease "kube-controller-manager" في "kube-system" هو بس اللي كتب باسم "system:kube-controller-manager" من ساعة ما الـ Lease اتقرت

  @CP-06
  سيناريو: Scheduler standby بياخد مكانه عن طريق الـ Lease، والـ pods الجديدة برضه بتاخد node، واللي ماسك الـ Lease بس هو اللي بيعملها bind
    بطيء: تلات masters بـ stacked etcd بيبدأوا، والـ standby بيستنى الـ Lease (4 ثواني) بتاعة الـ Scheduler
    اللي بياخد مكانه لحد ما تخلص.
    بفرض control plane فيه 3 masters بـ stacked etcd
    و الـ API Server بيكتب audit log
    و مدة الـ leader election lease هي 4 ثواني، والـ renew deadline 3 ثواني، والـ retry period 1 ثانية
    اذاً الـ Lease "kube-scheduler" في "kube-system" فيها اسم الـ Scheduler الـ active
    عندما اتعمل kill للـ Scheduler الـ active
    اذاً خلال الـ leader election lease duration زائد 6 ثواني الـ Lease "kube-scheduler" في "kube-system" يبقى فيها اسم holder تاني
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: after-failover
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً خلال 15 ثانية الـ pod "after-failover" يبقى فيه:
      | spec.nodeName | <present> |
      | status.phase  | Running   |
    و الـ master اللي ماسك الـ Lease "kube-scheduler" في "kube-system" هو بس اللي كتب باسم "system:kube-scheduler" من ساعة ما الـ Lease اتقرت
