Feature: Every request passes the same checks, in the same order
  "Every request: logging, authentication, authorization, mutating admission, schema
  validation, validating admission, then etcd." The API server first puts the request on
  record, then asks who sent it, then whether they may do it; only then do admission plugins
  change and judge the object, and only an object that passed everything is written to the
  store. Each phase's verdict lands in the API server's trace and, when one is configured, in
  its audit log (audit.k8s.io/v1 events).

  @API-01 @trace
  Scenario: An accepted request passes every phase in order before it reaches the store
    Given I create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then the request that created the pod "web" went through, in order:
      | the user is authenticated                 |
      | the user is authorized                    |
      | mutating admission passes                 |
      | the object is validated                   |
      | validating admission passes               |
      | the object is written to the store        |
      | the store acknowledges it with a revision |
      | the user is told it was created           |

  @API-01 @trace
  Scenario: A request refused by authorization never reaches admission or the store
    When alice tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    Then the rejected request went through, in order, and no further:
      | the user is authenticated      |
      | authorization refuses it       |
      | the user is told it was refused |

  @API-01 @trace
  Scenario: A request refused by validation never reaches validating admission or the store
    Given alice may create pods
    When alice tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: no-containers
      spec:
        containers: []
      """
    Then the rejected request went through, in order, and no further:
      | the user is authenticated       |
      | the user is authorized          |
      | mutating admission passes       |
      | validation refuses it           |
      | the user is told it was refused |

  @API-01 @FLOW-02
  Scenario: A caller nobody can authenticate gets 401, whatever else is wrong with the request
    When a client without credentials tries to create a config map from the body:
      """
      this is { not json
      """
    Then the request is rejected with 401 Unauthorized

  @API-01 @FLOW-02
  Scenario: A user who may not create gets 403 from authorization before the body is even read
    When alice tries to create a config map from the body:
      """
      this is { not json
      """
    Then the request is rejected with 403 Forbidden saying 'User "alice" cannot create resource "configmaps" in API group "" in the namespace "{namespace}"'

  @API-01
  Scenario: Mutating admission judges the object before validation does
    When I try to create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: ghostly
      spec:
        serviceAccountName: ghost
        containers: []
      """
    Then the request is rejected with 403 Forbidden saying 'error looking up service account {namespace}/ghost: serviceaccount "ghost" not found'

  # Upstream's first admission plugin is NamespaceLifecycle, in the mutating phase: a missing
  # namespace is NotFound before ServiceAccount admission would say the account is missing.
  @API-01
  Scenario: An object for a namespace that does not exist is refused before any other admission plugin judges it
    When I try to create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: stray
        namespace: ock-no-such-namespace
      spec:
        serviceAccountName: ghost
        containers:
          - name: app
            image: registry.internal/ock/app:1
      """
    Then the request is rejected with 404 NotFound saying 'namespaces "ock-no-such-namespace" not found'

  @API-01
  Scenario: Validation judges the object before validating admission does
    Given I apply the manifest:
      """yaml
      apiVersion: v1
      kind: ResourceQuota
      metadata:
        name: no-config
      spec:
        hard:
          count/configmaps: "0"
      """
    When I try to create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: Not_A_Name
      """
    Then the request is rejected with 422 Invalid saying 'metadata.name: Invalid value: "Not_A_Name"'

  @API-01 @audit
  Scenario: The audit log records who asked for what, each phase's verdict, and what they were told
    Given the API server writes an audit log
    And alice may create config maps
    When alice creates the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      """
    Then the audit log records the request that created the config map "settings", in order:
      | stage            | user  | verb   | resource   | name     | code | decision | reason |
      | RequestReceived  | alice | create | configmaps |          |      |          |        |
      | ResponseComplete | alice | create | configmaps | settings | 201  | allow    |        |
    When alice tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: Secret
      metadata:
        name: password
      """
    Then the audit log records the rejected request, in order:
      | stage            | user  | verb   | resource | code | decision | reason    |
      | RequestReceived  | alice | create | secrets  |      |          |           |
      | ResponseComplete | alice | create | secrets  | 403  | forbid   | Forbidden |
    When alice tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: Not_A_Name
      """
    Then the audit log records the rejected request, in order:
      | stage            | user  | verb   | resource   | code | decision | reason  |
      | RequestReceived  | alice | create | configmaps |      |          |         |
      | ResponseComplete | alice | create | configmaps | 422  | allow    | Invalid |
