# language: ar
خاصية: الـ Application Hosting بيبقى declarative
  "Application Hosting: الـ Developer بيكون تركيزه فقط على الـ Application، مش على أي حاجة Infrastructure":
  الـ workload بيتوصف بـ manifest مفيهوش اسم أي node أو host، والـ orchestrator هو اللي بيقرر هيشتغل فين
  وإزاي. ولو عملت apply لنفس الـ manifest تاني مفيش حاجة بتحصل: مفيش حاجة بتتغير. وبيشتغل: الـ pods بتتحط
  على nodes الـ manifest عمره ما ذكرها.

  @HOST-01
  سيناريو: manifest مفيهوش أي node بيشتغل، ولو عملتله apply مرتين مفيش حاجة بتتغير
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        selector:
          matchLabels: {app: shop}
        template:
          metadata:
            labels: {app: shop}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    اذاً الـ manifest مفيهوش اسم أي node أو host
    و خلال 20 ثانية الـ deployment "shop" يبقى ليه 2 ready replicas
    و خلال 20 ثانية يبقى فيه 2 pods عليها الـ label "app=shop" في حالة Running
    عندما عملت apply لنفس الـ manifest تاني
    اذاً الـ objects بتاعة الـ manifest متغيرتش

  @HOST-01
  سيناريو: الـ kubectl apply لنفس الـ manifest مرتين بيقول عليه unchanged
    عندما شغلت "kubectl apply -f -" بالـ input ده:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        greeting: hello
      """
    اذاً الـ output فيه "configmap/settings created"
    عندما شغلت "kubectl apply -f -" بالـ input ده:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        greeting: hello
      """
    اذاً الـ output فيه "configmap/settings unchanged"
