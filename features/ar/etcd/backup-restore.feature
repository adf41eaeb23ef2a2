# language: ar
@etcd @faults
خاصية: الـ snapshot بتاعة etcd بترجّع الـ cluster
  "محتاج اضمن ان يكون معايا backup باستمرار منها .. عشان اقدر restore state of cluster". الـ snapshot هي
  الـ state بتاعة الـ cluster كلها عند revision واحدة. بعد كارثة تاخد كل الـ members والـ data بتاعتهم، الـ
  snapshot بتترجع في members جديدة (بعد ما الـ API Servers تقف الأول، زي ما الـ procedure بتاع الـ upstream
  بيقول): اللي كان موجود وقت الـ snapshot بيرجع، واللي اتعمل بعدها لأ، والـ controllers بتكمل من الـ state
  اللي رجعت. الـ revisions عمرها ما بترجع لورا، فكل client بيعمل relist: الـ Scheduler والـ kubelets، اللي فضلوا
  شغالين طول الـ restore، بيحطوا ويشغلوا pod اتعملت بعده.

  @ETCD-02
  سيناريو: الـ objects اللي قبل الـ snapshot بترجع، واللي بعدها لأ، والـ controllers بتعمل reconcile
    بطيء: تلات etcd members حقيقيين بيشتغلوا، وبيضيعوا كلهم بالـ data بتاعتهم، وبيترجعوا من الـ snapshot
    والـ API Servers واقفة قبل الـ restore وبترجع تشتغل بعده.
    بفرض الـ Controller Manager وقف
    و الـ namespace "old-team" اللي فيها configmap بتتمسح
    و عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: before
      """
    عندما عملت snapshot للـ etcd
    و عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: after
      """
    و كل الـ etcd members ضاعت بالـ data بتاعتها، واتعمل restore للـ etcd من الـ snapshot
    اذاً الـ configmap "before" موجودة
    و الـ namespace "old-team" موجودة
    و الـ configmap "after" مش موجودة
    عندما الـ Controller Manager اشتغل
    اذاً خلال 30 ثانية الـ namespace "old-team" مبقتش موجودة
    عندما عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: after-restore
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    اذاً خلال 10 ثواني الـ pod "after-restore" يبقى فيه:
      | spec.nodeName | <present> |
      | status.phase  | Running   |
