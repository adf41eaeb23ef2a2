# language: ar
خاصية: الـ validating admission بيطبق الـ policies الأخيرة بتاعة الـ cluster
  الـ notes بتقول: "بتيجي بعد كده اخر مرحلة Validation Admission Controller ... هنا ده final validation
  اني بحط policy زي ان الـ user مش مسموح له يـ deploy public image ... أو الـ internal registry تكون
  باستخدام deployment pipeline زي الـ Jenkins ... أو الـ authorized pipeline." بعد ما الـ object يتعمله
  validation، الـ validating admission plugins مش بإيدها غير انها تقبله أو ترفضه. كل cluster بيكتب الـ
  policies بتاعته في AdmissionConfiguration، والرفض بيبقى 403 Forbidden والـ message فيها الـ rule بتاعة
  الـ policy.

  الخلفية:
    بفرض الـ admission configuration بتاعة الـ cluster هي:
      """yaml
      apiVersion: apiserver.config.k8s.io/v1
      kind: AdmissionConfiguration
      plugins:
        - name: ImagePolicy
          configuration:
            rules:
              - name: internal-registry-only
                allowedRegistries: [registry.internal]
        - name: DeploymentPipelinePolicy
          configuration:
            rules:
              - name: only-jenkins-deploys
                namespaces: [production]
                allowedUsers: [system:serviceaccount:ci:jenkins]
      """

  @API-06
  سيناريو مخطط: الـ image اللي مش من الـ internal registry بتترفض (<image>)
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: public
      spec:
        containers:
          - name: web
            image: <image>
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها 'image policy "internal-registry-only" denied the request: image "<image>" (<resolved>)'
    و الـ pod "public" مش موجودة

    امثلة:
      | image                                   | resolved                                |
      | nginx                                   | docker.io/library/nginx                 |
      | docker.io/library/nginx:1.27            | docker.io/library/nginx:1.27            |
      | quay.io/team/tool:2                     | quay.io/team/tool:2                     |
      | registry.internal.example.com/ock/app:1 | registry.internal.example.com/ock/app:1 |

  @API-06
  سيناريو: الـ Deployment اللي الـ template بتاعه فيه public image بيترفض، وهو بيتعمل ولما الـ image بتاعته تتغير
    عندما حاولت اعمل create للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: web
                image: nginx:1.27
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message فيها 'of container "web" (spec.template.spec.containers[0].image) is not from an allowed registry (registry.internal)'
    عندما عملت create للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: web
                image: registry.internal/ock/web:1.27
      """
    اذاً الـ deployment "web" موجودة
    عندما شغلت "kubectl set image deployment/web web=nginx:1.27"
    اذاً الـ command فشل وقال 'image policy "internal-registry-only" denied the request: image "nginx:1.27" (docker.io/library/nginx:1.27)'
    و الـ deployment "web" فيه:
      | spec.template.spec.containers[0].image | registry.internal/ock/web:1.27 |

  @API-06
  سيناريو: في الـ namespace المحمي الـ Jenkins pipeline بس هو اللي مسموح له يعمل deploy، سواء أول version أو version جديدة
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: production
      """
    و فيه service account اسمه "ci:jenkins"
    و الـ service account "ci:jenkins" مسموح له يعمل create للـ deployments في الـ namespace "production"
    و alice مسموح له يعمل create و get و patch للـ deployments في الـ namespace "production"
    عندما alice حاول يعمل create للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
        namespace: production
      spec:
        selector:
          matchLabels: {app: shop}
        template:
          metadata:
            labels: {app: shop}
          spec:
            containers:
              - name: shop
                image: registry.internal/ock/shop:2
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message:
      """
      deployments.apps "shop" is forbidden: deployment pipeline policy "only-jenkins-deploys" denied the request: only system:serviceaccount:ci:jenkins may create or update Deployments in namespace "production", not "alice"
      """
    عندما الـ service account "ci:jenkins" عمل create للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
        namespace: production
      spec:
        selector:
          matchLabels: {app: shop}
        template:
          metadata:
            labels: {app: shop}
          spec:
            containers:
              - name: shop
                image: registry.internal/ock/shop:2
      """
    اذاً الـ request نجح
    عندما alice شغل "kubectl set image deployment/shop shop=registry.internal/ock/shop:3 -n production"
    اذاً الـ command فشل وقال 'deployment pipeline policy "only-jenkins-deploys" denied the request: only system:serviceaccount:ci:jenkins may create or update Deployments in namespace "production", not "alice"'
    و الـ deployment "shop" اللي في الـ namespace "production" فيه:
      | spec.template.spec.containers[0].image | registry.internal/ock/shop:2 |
