# language: ar
خاصية: مفيش حاجة مسموحة غير اللي الـ RBAC بيسمح بيه
  الـ notes بتسأل: "لو هو authorized / has permission انه يعمل الـ request؟" الـ user اللي اتعمله
  authentication يقدر يعمل بس اللي Role أو ClusterRole مربوط بيه (بالاسم، أو بالـ group، أو على انه
  service account) بيسمح بيه: verb على resource في namespace. أي حاجة غير كده بتترفض بـ 403 Forbidden،
  بنفس كلام الـ upstream، والـ message فيها الـ user والـ verb والـ resource والـ namespace. ومحدش يقدر
  يستخدم الـ RBAC نفسه عشان ياخد أكتر من اللي عنده: الـ role أو الـ binding ميقدرش يدي غير اللي صاحبه
  عنده أصلاً، إلا لو صاحبه مسموح له يعمل `escalate` للـ roles أو `bind` للـ role.

  @API-03
  سيناريو: الـ user اللي ملوش role binding بيترفض بـ Forbidden، والـ Role والـ RoleBinding بيدخلوه
    عندما alice حاول يعمل create للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        selector:
          matchLabels: {app: shop}
        template:
          metadata:
            labels: {app: shop}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/shop:1
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message:
      """
      deployments.apps is forbidden: User "alice" cannot create resource "deployments" in API group "apps" in the namespace "{namespace}"
      """
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata:
        name: deployer
      rules:
        - apiGroups: [apps]
          resources: [deployments]
          verbs: [create, get, list, watch]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: alice-deploys
      subjects:
        - kind: User
          name: alice
          apiGroup: rbac.authorization.k8s.io
      roleRef:
        kind: Role
        name: deployer
        apiGroup: rbac.authorization.k8s.io
      """
    عندما alice عمل create للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        selector:
          matchLabels: {app: shop}
        template:
          metadata:
            labels: {app: shop}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/shop:1
      """
    اذاً الـ deployment "shop" موجودة

  @API-03
  سيناريو: الـ kubectl بيوري الـ user اللي ملوش صلاحيات نفس الـ 403 message بتاعة الـ upstream
    عندما alice شغل "kubectl get pods"
    اذاً الـ command فشل وقال 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "{namespace}"'

  @API-03
  سيناريو: الـ service account token يقدر يعمل اللي الـ RoleBinding بتاعه بيسمح بيه بالظبط، ومفيش حاجة زيادة
    بفرض فيه service account اسمه "deployer"
    و الـ service account "deployer" مسموح له يعمل get و list و create للـ config maps
    عندما الـ service account "deployer" شغل "kubectl create configmap release --from-literal=version=1"
    اذاً الـ command نجح
    عندما الـ service account "deployer" شغل "kubectl get configmap release -o name"
    اذاً الـ output فيه "configmap/release"
    عندما الـ service account "deployer" شغل "kubectl delete configmap release"
    اذاً الـ command فشل وقال 'User "system:serviceaccount:{namespace}:deployer" cannot delete resource "configmaps" in API group "" in the namespace "{namespace}"'

  @API-03
  سيناريو: الـ rule اللي على subresource بتسمح بالـ subresource ده بس
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        replicas: 1
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
    و alice مسموح له يعمل get و scale للـ deployments
    عندما alice شغل "kubectl scale deployment web --replicas=3"
    اذاً الـ command نجح
    و الـ deployment "web" فيه:
      | spec.replicas | 3 |
    عندما alice شغل "kubectl label deployment web tier=front"
    اذاً الـ command فشل وقال 'User "alice" cannot patch resource "deployments" in API group "apps"'

  @API-03
  سيناريو: الـ subject اللي مسموح له يعمل create للـ ClusterRoleBindings بس ميقدرش يربط نفسه بالـ cluster-admin، لحد ما يبقى مسموح له يعمل bind للـ role ده
    بفرض فيه service account اسمه "binder"
    و الـ service account "binder" مسموح له يعمل create للـ cluster role bindings
    عندما الـ service account "binder" حاول يعمل create للـ manifest:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata:
        name: binder-is-admin-{namespace}
      subjects:
        - kind: ServiceAccount
          name: binder
          namespace: "{namespace}"
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: ClusterRole
        name: cluster-admin
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message:
      """
      clusterrolebindings.rbac.authorization.k8s.io "binder-is-admin-{namespace}" is forbidden: user "system:serviceaccount:{namespace}:binder" (groups=["system:serviceaccounts" "system:serviceaccounts:{namespace}" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
      {APIGroups:["*"], Resources:["*"], Verbs:["*"]}
      {NonResourceURLs:["*"], Verbs:["*"]}
      """
    عندما الـ service account "binder" شغل "kubectl get secrets -n kube-system"
    اذاً الـ command فشل وقال 'User "system:serviceaccount:{namespace}:binder" cannot list resource "secrets" in API group "" in the namespace "kube-system"'
    بفرض الـ service account "binder" مسموح له يعمل bind للـ cluster roles
    عندما الـ service account "binder" عمل create للـ manifest:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata:
        name: binder-is-admin-{namespace}
      subjects:
        - kind: ServiceAccount
          name: binder
          namespace: "{namespace}"
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: ClusterRole
        name: cluster-admin
      """
    و الـ service account "binder" شغل "kubectl get secrets -n kube-system"
    اذاً الـ command نجح

  @API-03
  سيناريو: الـ subject اللي مسموح له يعمل create للـ ClusterRoles ميقدرش يكتب واحد بيسمح بكل حاجة، ولا واحد aggregated، لحد ما يبقى مسموح له يعمل escalate
    بفرض فيه service account اسمه "roler"
    و الـ service account "roler" مسموح له يعمل create للـ cluster roles
    عندما الـ service account "roler" حاول يعمل create للـ manifest:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata:
        name: everything-{namespace}
      rules:
        - apiGroups: ["*"]
          resources: ["*"]
          verbs: ["*"]
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message:
      """
      clusterroles.rbac.authorization.k8s.io "everything-{namespace}" is forbidden: user "system:serviceaccount:{namespace}:roler" (groups=["system:serviceaccounts" "system:serviceaccounts:{namespace}" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
      {APIGroups:["*"], Resources:["*"], Verbs:["*"]}
      """
    عندما الـ service account "roler" حاول يعمل create للـ manifest:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata:
        name: gatherer-{namespace}
      aggregationRule:
        clusterRoleSelectors:
          - matchLabels: {rbac.authorization.k8s.io/aggregate-to-admin: "true"}
      rules: []
      """
    اذاً الـ request اترفض بـ 403 Forbidden والـ message:
      """
      clusterroles.rbac.authorization.k8s.io "gatherer-{namespace}" is forbidden: must have cluster-admin privileges to use the aggregationRule
      """
    بفرض الـ service account "roler" مسموح له يعمل escalate للـ cluster roles
    عندما الـ service account "roler" عمل create للـ manifest:
      """yaml
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata:
        name: everything-{namespace}
      rules:
        - apiGroups: ["*"]
          resources: ["*"]
          verbs: ["*"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata:
        name: gatherer-{namespace}
      aggregationRule:
        clusterRoleSelectors:
          - matchLabels: {rbac.authorization.k8s.io/aggregate-to-admin: "true"}
      rules: []
      """
    اذاً الـ request نجح
