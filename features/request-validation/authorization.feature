Feature: Only what RBAC grants is allowed
  "Is the user authorized / does it have permission?" An authenticated user may do only what a
  Role or ClusterRole bound to them (by name, group or service account) allows: a verb on a
  resource, in a namespace. Anything else is refused with 403 Forbidden, in upstream's words,
  naming the user, the verb, the resource and the namespace. Nobody can use RBAC itself to get
  more: a role or binding may only grant what its author already holds, unless the author may
  `escalate` roles or `bind` the role.

  @API-03
  Scenario: A user without a role binding is forbidden; a Role and RoleBinding let her in
    When alice tries to create the manifest:
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
    Then the request is rejected with 403 Forbidden and the message:
      """
      deployments.apps is forbidden: User "alice" cannot create resource "deployments" in API group "apps" in the namespace "{namespace}"
      """
    Given I apply the manifest:
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
    When alice creates the manifest:
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
    Then the deployment "shop" exists

  @API-03
  Scenario: kubectl shows an unprivileged user upstream's 403 message
    When alice runs "kubectl get pods"
    Then the command fails saying 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "{namespace}"'

  @API-03
  Scenario: A service account token can do exactly what its RoleBinding allows
    Given there is a service account "deployer"
    And the service account "deployer" may get, list and create config maps
    When the service account "deployer" runs "kubectl create configmap release --from-literal=version=1"
    Then the command succeeds
    When the service account "deployer" runs "kubectl get configmap release -o name"
    Then the output contains "configmap/release"
    When the service account "deployer" runs "kubectl delete configmap release"
    Then the command fails saying 'User "system:serviceaccount:{namespace}:deployer" cannot delete resource "configmaps" in API group "" in the namespace "{namespace}"'

  @API-03
  Scenario: A rule on a subresource grants only that subresource
    Given I apply the manifest:
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
    And alice may get and scale deployments
    When alice runs "kubectl scale deployment web --replicas=3"
    Then the command succeeds
    And the deployment "web" has:
      | spec.replicas | 3 |
    When alice runs "kubectl label deployment web tier=front"
    Then the command fails saying 'User "alice" cannot patch resource "deployments" in API group "apps"'

  @API-03
  Scenario: A subject that may only create ClusterRoleBindings cannot bind itself to cluster-admin, until it may bind that role
    Given there is a service account "binder"
    And the service account "binder" may create cluster role bindings
    When the service account "binder" tries to create the manifest:
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
    Then the request is rejected with 403 Forbidden and the message:
      """
      clusterrolebindings.rbac.authorization.k8s.io "binder-is-admin-{namespace}" is forbidden: user "system:serviceaccount:{namespace}:binder" (groups=["system:serviceaccounts" "system:serviceaccounts:{namespace}" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
      {APIGroups:["*"], Resources:["*"], Verbs:["*"]}
      {NonResourceURLs:["*"], Verbs:["*"]}
      """
    When the service account "binder" runs "kubectl get secrets -n kube-system"
    Then the command fails saying 'User "system:serviceaccount:{namespace}:binder" cannot list resource "secrets" in API group "" in the namespace "kube-system"'
    Given the service account "binder" may bind cluster roles
    When the service account "binder" creates the manifest:
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
    And the service account "binder" runs "kubectl get secrets -n kube-system"
    Then the command succeeds

  @API-03
  Scenario: A subject that may create ClusterRoles cannot write one granting everything, nor an aggregated one, until it may escalate
    Given there is a service account "roler"
    And the service account "roler" may create cluster roles
    When the service account "roler" tries to create the manifest:
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
    Then the request is rejected with 403 Forbidden and the message:
      """
      clusterroles.rbac.authorization.k8s.io "everything-{namespace}" is forbidden: user "system:serviceaccount:{namespace}:roler" (groups=["system:serviceaccounts" "system:serviceaccounts:{namespace}" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
      {APIGroups:["*"], Resources:["*"], Verbs:["*"]}
      """
    When the service account "roler" tries to create the manifest:
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
    Then the request is rejected with 403 Forbidden and the message:
      """
      clusterroles.rbac.authorization.k8s.io "gatherer-{namespace}" is forbidden: must have cluster-admin privileges to use the aggregationRule
      """
    Given the service account "roler" may escalate cluster roles
    When the service account "roler" creates the manifest:
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
    Then the request succeeds
