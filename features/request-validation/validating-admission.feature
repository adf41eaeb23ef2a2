Feature: Validating admission applies the cluster's final policies
  "Validating admission: final policy, e.g. no public images, only the internal registry, only
  an authorized pipeline (like Jenkins) may deploy." After the object is validated, validating
  admission plugins may only accept or refuse it. Each cluster states its policies in an
  AdmissionConfiguration; a refusal is a 403 Forbidden that names the policy's rule.

  Background:
    Given the cluster's admission configuration is:
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
  Scenario Outline: An image that is not from the internal registry is refused (<image>)
    When I try to create the manifest:
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
    Then the request is rejected with 403 Forbidden saying 'image policy "internal-registry-only" denied the request: image "<image>" (<resolved>)'
    And the pod "public" does not exist

    Examples:
      | image                                   | resolved                                |
      | nginx                                   | docker.io/library/nginx                 |
      | docker.io/library/nginx:1.27            | docker.io/library/nginx:1.27            |
      | quay.io/team/tool:2                     | quay.io/team/tool:2                     |
      | registry.internal.example.com/ock/app:1 | registry.internal.example.com/ock/app:1 |

  @API-06
  Scenario: A Deployment whose template uses a public image is refused, at creation and when its image changes
    When I try to create the manifest:
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
    Then the request is rejected with 403 Forbidden saying 'of container "web" (spec.template.spec.containers[0].image) is not from an allowed registry (registry.internal)'
    When I create the manifest:
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
    Then the deployment "web" exists
    When I run "kubectl set image deployment/web web=nginx:1.27"
    Then the command fails saying 'image policy "internal-registry-only" denied the request: image "nginx:1.27" (docker.io/library/nginx:1.27)'
    And the deployment "web" has:
      | spec.template.spec.containers[0].image | registry.internal/ock/web:1.27 |

  @API-06
  Scenario: In a protected namespace only the Jenkins pipeline may deploy, a first version or a new one
    Given I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: production
      """
    And there is a service account "ci:jenkins"
    And the service account "ci:jenkins" may create deployments in the namespace "production"
    And alice may create, get and patch deployments in the namespace "production"
    When alice tries to create the manifest:
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
    Then the request is rejected with 403 Forbidden and the message:
      """
      deployments.apps "shop" is forbidden: deployment pipeline policy "only-jenkins-deploys" denied the request: only system:serviceaccount:ci:jenkins may create or update Deployments in namespace "production", not "alice"
      """
    When the service account "ci:jenkins" creates the manifest:
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
    Then the request succeeds
    When alice runs "kubectl set image deployment/shop shop=registry.internal/ock/shop:3 -n production"
    Then the command fails saying 'deployment pipeline policy "only-jenkins-deploys" denied the request: only system:serviceaccount:ci:jenkins may create or update Deployments in namespace "production", not "alice"'
    And the deployment "shop" in the namespace "production" has:
      | spec.template.spec.containers[0].image | registry.internal/ock/shop:2 |
