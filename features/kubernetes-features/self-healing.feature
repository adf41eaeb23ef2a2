Feature: The desired number of pods holds
  "The controller manager keeps the desired number of pods." A pod deleted by hand is not
  brought back: it is replaced by a new pod, with a new name and a new uid, so that the number
  of replicas matches the Deployment again.

  @HEAL-03
  Scenario: A pod deleted by hand is replaced by a new one
    Given I run "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    And the command succeeds
    And within 20s 3 pods labelled "app=web" are Running
    When I delete one of the pods labelled "app=web"
    Then within 20s 3 pods labelled "app=web" are Running
    And the deleted pod was replaced by a pod with a new name and uid
