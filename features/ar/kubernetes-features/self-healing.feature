# language: ar
خاصية: العدد المطلوب من الـ pods بيفضل موجود
  "الـ Controller Manager بيفضل يقارن بين الـ Current Cluster State والـ Desired ويتأكد انهم Matched".
  الـ pod اللي اتمسحت بإيدي مبترجعش هي نفسها: بتتعوض بـ pod جديدة، ليها name جديد و uid جديد، عشان
  عدد الـ replicas يرجع زي ما الـ Deployment عايز. والـ ReplicationController (جد الـ ReplicaSet في core/v1،
  الـ selector بتاعه map من الـ labels بياخد default من labels الـ template) بيحافظ على العدد بنفس الطريقة. ونفس الكلام للـ pods اللي ضاعت مع الـ node بتاعتها: أول
  ما الـ node lifecycle controller يلاقي الـ node unreachable، والـ toleration بتاعة الـ pods لده (300 ثانية
  في الـ upstream، و 2 ثانية هنا) تخلص، بيتعملها evict وبتتعوض على الـ nodes التانية. الـ pods اللي اتعملها
  evict بتفضل Terminating زي الـ upstream: مفيش kubelet فاضلة تأكد انها وقفت.

  @HEAL-03
  سيناريو: الـ pod اللي اتمسحت بالإيد بتتعوض بـ pod جديدة
    بفرض شغلت "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    و الـ command نجح
    و خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    عندما مسحت pod من الـ pods اللي عليها الـ label "app=web"
    اذاً خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ pod اللي اتمسحت اتعوضت بـ pod ليها name و uid جداد

  @HEAL-03
  سيناريو: الـ ReplicationController بيعوض الـ pod اللي اتمسحت بالإيد
    بفرض عملت apply للـ manifest بـ kubectl:
      """yaml
      apiVersion: v1
      kind: ReplicationController
      metadata:
        name: legacy
      spec:
        replicas: 2
        template:
          metadata:
            labels: {app: legacy}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    و خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app=legacy" في حالة Running
    عندما مسحت pod من الـ pods اللي عليها الـ label "app=legacy"
    اذاً خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app=legacy" في حالة Running
    و الـ pod اللي اتمسحت اتعوضت بـ pod ليها name و uid جداد

  @HEAL-03 @faults @config
  سيناريو: الـ pods اللي ضاعت مع الـ node بتاعتها بتتعوض على الـ nodes التانية
    بفرض الـ timings بتاعة الـ cluster:
      | node lease duration            | 1s    |
      | node monitor period            | 500ms |
      | node monitor grace period      | 2s    |
      | default unreachable toleration | 2s    |
    و شغلت "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    و خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ pods اللي عليها الـ label "app=web" شغالة على 3 nodes مختلفة
    عندما الـ kubelet بتاعة الـ node "node-2" وقفت
    اذاً خلال 15 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running على nodes غير "node-2"
    و الـ pods اللي عليها الـ label "app=web" على الـ node "node-2" بتتمسح
