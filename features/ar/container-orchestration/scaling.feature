# language: ar
خاصية: الـ scaling شغلانة الـ orchestrator
  "... tool تكون مسؤولة عن الـ ... Horizontal": الـ Horizontal scaling شغلانة الـ orchestrator. كل اللي الـ user
  بيعمله انه بيغير عدد الـ replicas بتاعة الـ Deployment؛ والـ controllers بتعمل pods أو بتمسحها لحد ما عدد
  الـ pods الشغالة يرجع زي المطلوب.

  الخلفية:
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

  @ORCH-06
  سيناريو: الـ scale up للـ Deployment بيشغل pods زيادة
    عندما شغلت "kubectl scale deployment web --replicas=5"
    اذاً الـ command نجح
    و خلال 20 ثانية الـ deployment "web" يبقى ليه 5 ready replicas
    و خلال 20 ثانية يبقى فيه 5 pods عليها الـ label "app=web" في حالة Running

  @ORCH-06
  سيناريو: الـ scale down للـ Deployment بيوقف الـ pods الزيادة
    عندما شغلت "kubectl scale deployment web --replicas=1"
    اذاً الـ command نجح
    و خلال 20 ثانية الـ deployment "web" يبقى ليه 1 ready replica
    و خلال 20 ثانية يبقى فيه 1 pod عليها الـ label "app=web" في حالة Running
