@docker @etcd @faults
Feature: With every master down, applications keep serving and changes wait
  "App traffic goes through the ingress controller to workers; but an update / scale needs a
  master." Traffic never passes through the control plane: the ingress controller and the
  service proxy send requests straight to the pods on the workers, from the routes and endpoints
  they last saw. A change, a scale included, is a request to the API server, so with every master
  down it cannot even be sent. Once the masters are back it goes through and the controllers
  carry it out.

  @CP-07
  Scenario: The app answers through the ingress while every master is down; the scale waits for the masters
    Slow: three masters with stacked etcd boot, two real containers start, every master stops
    and starts again, and a third container starts.
    Given a control plane of 3 masters with stacked etcd
    And I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
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
      ---
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: {name: web}
      spec:
        rules:
          - http:
              paths:
                - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
      """
    And within 60s the deployment "web" has 2 ready replicas
    And within 20s the ingress "web" answers 200 at "/"
    When every master is stopped
    Then for 5s the ingress "web" answers 200 at "/" every time
    When I try to scale the deployment "web" to 3 replicas
    Then the scale request never reached an API server
    When every stopped master is started again
    And I scale the deployment "web" to 3 replicas
    Then within 60s the deployment "web" has 3 ready replicas
