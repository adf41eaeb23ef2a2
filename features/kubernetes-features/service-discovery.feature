@docker
Feature: A Service is a stable frontend for changing pods
  "Service discovery: a stable frontend for all the backends of one application (part of the
  Service object)." A Service selects pods by label; the API server gives it an address that
  does not change, the endpoints controller lists the pods that are ready behind it, and the
  service proxy on every node spreads connections to that address over them. Pods come and
  go; the address stays.

  @SVC-01
  Scenario: The Service keeps its address while a pod is replaced, and spreads requests over its pods
    Given I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 3
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
                ports: [{name: http, containerPort: 8080}]
                readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
      """
    And within 60s the deployment "web" has 3 ready replicas
    And within 10s the endpoints of the service "web" list the ready pods labelled "app=web"
    When I delete one of the pods labelled "app=web"
    Then within 30s 3 pods labelled "app=web" are Running
    And within 30s the endpoints of the service "web" list the ready pods labelled "app=web"
    And the service "web" still has the address it was given when created
    And 30 requests to "http://web/" are answered by at least 2 of the pods labelled "app=web"
