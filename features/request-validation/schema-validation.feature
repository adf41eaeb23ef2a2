Feature: Objects are validated against the API's schema and rules before they are stored
  "Schema validation of the object before it reaches etcd." An object must fit the Kubernetes
  API's schema (the right types, the required fields) and the rules the API server enforces
  for its kind (DNS-1123 names, a pod needs containers with names and images, ports in range,
  a Deployment's selector must match its template's labels, replicas >= 0, some fields never
  change, percentages are "<n>%", a generateName is a valid name prefix). A broken object is
  refused — with 400 BadRequest when it cannot even be decoded (a wrong JSON type, an integer
  its int32/int64 field cannot hold, a quantity that does not parse), with 422 Invalid listing
  every broken field otherwise — and nothing is stored.

  @API-05 @trace
  Scenario Outline: A broken object is refused with the field that is wrong (<case>)
    When I try to create a <kind> from the body:
      """
      <body>
      """
    Then the request is rejected with <code> <reason> saying "<says>"
    And the rejected request wrote nothing to the store

    Examples:
      | case                          | kind       | body                                                                                                                                                                            | code | reason     | says                                                                |
      | a name with capitals          | config map | {"metadata": {"name": "Never_Stored"}}                                                                                                                                          | 422  | Invalid    | metadata.name: Invalid value: \"Never_Stored\": a lowercase RFC 1123 subdomain |
      | a pod without containers      | pod        | {"metadata": {"name": "p"}, "spec": {"containers": []}}                                                                                                                         | 422  | Invalid    | spec.containers: Required value                                     |
      | a container without an image  | pod        | {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}                                                                                                          | 422  | Invalid    | spec.containers[0].image: Required value                            |
      | a port out of range           | pod        | {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1", "ports": [{"containerPort": 70000}]}]}}                                    | 422  | Invalid    | spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive |
      | two containers with one name  | pod        | {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1"}, {"name": "app", "image": "registry.internal/b:1"}]}}                    | 422  | Invalid    | spec.containers[1].name: Duplicate value: \"app\"                   |
      | negative replicas             | deployment | {"metadata": {"name": "d"}, "spec": {"replicas": -1, "selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1"}]}}}} | 422 | Invalid | spec.replicas: Invalid value: -1: must be greater than or equal to 0 |
      | a selector that misses        | deployment | {"metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "other"}}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1"}]}}}} | 422 | Invalid | spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels` |
      | a string for replicas         | deployment | {"metadata": {"name": "d"}, "spec": {"replicas": "three"}}                                                                                                                      | 400  | BadRequest | cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32 |
      | a body that is not JSON       | config map | {"metadata": {"name": "never-stored"}                                                                                                                                           | 400  | BadRequest | json parse error                                                    |
      | an int64 that overflows       | pod        | {"metadata": {"name": "p"}, "spec": {"terminationGracePeriodSeconds": 1e308, "containers": [{"name": "app", "image": "registry.internal/a:1"}]}}                              | 400  | BadRequest | into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64 |
      | an int32 that overflows       | deployment | {"metadata": {"name": "d"}, "spec": {"replicas": 2147483648}}                                                                                                                   | 400  | BadRequest | cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32 |
      | a quantity that does not parse | pod       | {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1", "resources": {"limits": {"cpu": "lots"}}}]}}                           | 400  | BadRequest | quantities must match the regular expression |
      | a maxSurge that is no percentage | deployment | {"metadata": {"name": "d"}, "spec": {"strategy": {"rollingUpdate": {"maxSurge": "str"}}, "selector": {"matchLabels": {"app": "d"}}, "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "app", "image": "registry.internal/a:1"}]}}}} | 422 | Invalid | spec.strategy.rollingUpdate.maxSurge: Invalid value: \"str\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%') |
      | an invalid generateName beside a valid name | config map | {"metadata": {"name": "never-stored", "generateName": "Never_Stored-"}}                                                                                          | 422  | Invalid    | metadata.generateName: Invalid value: \"Never_Stored-\": a lowercase RFC 1123 subdomain |

  @API-05
  Scenario: Every broken field is listed, each with its reason
    When I try to create the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: Broken_Pod
        labels: {tier: "front end"}
      spec:
        restartPolicy: Sometimes
        containers:
          - name: App
          - name: helper
            image: registry.internal/ock/helper:1
            ports:
              - containerPort: 0
      """
    Then the request is rejected with 422 Invalid
    And the rejection names, for each broken field, its reason:
      | field                                     | reason                 |
      | metadata.name                             | FieldValueInvalid      |
      | metadata.labels                           | FieldValueInvalid      |
      | spec.containers[0].name                   | FieldValueInvalid      |
      | spec.containers[0].image                  | FieldValueRequired     |
      | spec.containers[1].ports[0].containerPort | FieldValueRequired     |
      | spec.restartPolicy                        | FieldValueNotSupported |
    And the pod "Broken_Pod" does not exist

  @API-05
  Scenario: kubectl's strict field validation refuses a field the API does not have
    When I run "kubectl apply -f -" with:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: typo
      dta:
        greeting: hello
      """
    Then the command fails saying 'strict decoding error: unknown field "dta"'
    And the config map "typo" does not exist

  @API-05
  Scenario: A Deployment's selector cannot change once it is created
    Given I apply the manifest:
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
            labels: {app: web, release: "1"}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    When I try to apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: {app: web, release: "1"}
        template:
          metadata:
            labels: {app: web, release: "1"}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    Then the request is rejected with 422 Invalid saying "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"release\":\"1\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"

  @API-05
  Scenario: A pod's spec cannot change once it is created, except its images
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
    When I run "kubectl set image pod/web app=registry.internal/ock/app:2"
    Then the command succeeds
    When I run "kubectl patch pod web -p '{\"spec\":{\"restartPolicy\":\"Never\"}}'"
    Then the command fails saying "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"
