# language: ar
خاصية: العدد المطلوب من الـ pods بيفضل موجود
  "الـ Controller Manager بيفضل يقارن بين الـ Current Cluster State والـ Desired ويتأكد انهم Matched".
  الـ pod اللي اتمسحت بإيدي مبترجعش هي نفسها: بتتعوض بـ pod جديدة، ليها name جديد و uid جديد، عشان
  عدد الـ replicas يرجع زي ما الـ Deployment عايز. والـ ReplicationController (جد الـ ReplicaSet في core/v1،
  الـ selector بتاعه map من الـ labels بياخد default من labels الـ template) بيحافظ على العدد بنفس الطريقة. ونفس الكلام للـ pods اللي ضاعت مع الـ node بتاعتها: أول
  ما الـ node lifecycle controller يلاقي الـ node unreachable، والـ toleration بتاعة الـ pods لده (300 ثانية
  في الـ upstream، و 2 ثانية هنا) تخلص، بيتعملها evict وبتتعوض على الـ nodes التانية. الـ pods اللي اتعملها
  evict بتفضل Terminating زي الـ upstream: مفيش kubelet فاضلة تأكد انها وقفت. الـ pod بتاعة الـ StatefulSet
  بتحتفظ بالـ identity بتاعتها: اللي بتعوضها ليها نفس الـ name والـ hostname، ومبتتعملش غير لما الـ pod
  القديمة تختفي (هنا: بـ force delete، زي ما الـ operator بيعمل لما يتأكد ان الـ node واقعة)، فعمر ما
  اتنين pods بنفس الـ identity بيشتغلوا مع بعض. على أي cluster تاني الـ grace period والـ toleration بتوعه هما
  اللي بيتحسبوا بدل القصيرين اللي هنا (الـ target configuration بتاعته بتقول عليهم)، والمدد اللي بتعتمد عليهم مكتوبة بيهم.

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

  @HEAL-03 @faults
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
    اذاً خلال الـ node monitor grace period زائد الـ default unreachable toleration زائد 11 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running على nodes غير "node-2"
    و الـ pods اللي عليها الـ label "app=web" على الـ node "node-2" بتتمسح

  @HEAL-03 @faults
  سيناريو: الـ pod بتاعة الـ StatefulSet اللي ضاعت مع الـ node بتاعتها بترجع بنفس الـ name، وعمرها ما بتشتغل مرتين مع بعض
    بفرض الـ timings بتاعة الـ cluster:
      | node lease duration            | 1s    |
      | node monitor period            | 500ms |
      | node monitor grace period      | 2s    |
      | default unreachable toleration | 2s    |
    و عملت apply للـ manifest بـ kubectl:
      """yaml
      apiVersion: v1
      kind: Service
      metadata:
        name: db
      spec:
        clusterIP: None
        selector: {app: db}
        ports:
          - port: 8080
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata:
        name: db
      spec:
        serviceName: db
        replicas: 1
        selector:
          matchLabels: {app: db}
        template:
          metadata:
            labels: {app: db}
          spec:
            affinity:
              nodeAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                  - weight: 100
                    preference:
                      matchFields:
                        - {key: metadata.name, operator: In, values: [node-2]}
            containers:
              - name: db
                image: registry.internal/ock/app:1
                ports:
                  - containerPort: 8080
      """
    و خلال 20 ثانية الـ pod "db-0" تبقى Running
    و الـ pod "db-0" شغالة على الـ node "node-2"
    عندما الـ kubelet بتاعة الـ node "node-2" وقفت
    اذاً خلال الـ node monitor grace period زائد الـ default unreachable toleration زائد 11 ثانية الـ pod "db-0" يبقى فيه:
      | metadata.deletionTimestamp | <present> |
    و لمدة 3 ثواني الـ pod "db-0" يفضل فيه:
      | metadata.deletionTimestamp | <present> |
      | spec.nodeName              | node-2    |
    عندما شغلت "kubectl delete pod db-0 --grace-period=0 --force"
    اذاً خلال 20 ثانية يبقى فيه 1 pod عليها الـ label "app=db" في حالة Running
    و الـ pod "db-0" فيه:
      | metadata.deletionTimestamp                             | <absent> |
      | metadata.labels['statefulset.kubernetes.io/pod-name'] | db-0     |
      | spec.hostname                                          | db-0     |
      | spec.subdomain                                         | db       |
    و 0 من الـ pods اللي عليها الـ label "app=db" شغالة على الـ node "node-2"
    و خلال 5 ثواني الـ endpoints "db" يبقى فيه:
      | subsets[0].addresses[0].hostname       | db-0 |
      | subsets[0].addresses[0].targetRef.name | db-0 |
