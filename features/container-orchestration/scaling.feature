Feature: Scaling is the orchestrator's job
  "Horizontal scaling is the orchestrator's job." Changing the number of replicas of a
  Deployment is all a user does; the controllers create or delete pods until the number of
  running pods matches again.

  Background:
    Given I apply the manifest:
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
    And within 20s the deployment "web" has 2 ready replicas

  @ORCH-06
  Scenario: Scaling a Deployment up starts more pods
    When I run "kubectl scale deployment web --replicas=5"
    Then the command succeeds
    And within 20s the deployment "web" has 5 ready replicas
    And within 20s 5 pods labelled "app=web" are Running

  @ORCH-06
  Scenario: Scaling a Deployment down stops the surplus pods
    When I run "kubectl scale deployment web --replicas=1"
    Then the command succeeds
    And within 20s the deployment "web" has 1 ready replica
    And within 20s 1 pod labelled "app=web" is Running
