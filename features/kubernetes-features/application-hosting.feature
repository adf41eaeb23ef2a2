Feature: Application hosting is declarative
  "The developer focuses on the application, not the infrastructure": a workload is described
  by a manifest that names no node or host, and the orchestrator decides where and how it runs.
  Applying the same manifest again is harmless: nothing changes. And it runs: the pods are
  placed on nodes the manifest never named.

  @HOST-01
  Scenario: A manifest without any node in it runs, and applying it twice changes nothing
    Given I apply the manifest:
      """yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        selector:
          matchLabels: {app: shop}
        template:
          metadata:
            labels: {app: shop}
          spec:
            containers:
              - name: app
                image: registry.internal/ock/app:1
      """
    Then the manifest names no node or host
    And within 20s the deployment "shop" has 2 ready replicas
    And within 20s 2 pods labelled "app=shop" are Running
    When I apply the same manifest again
    Then the objects of the manifest are unchanged

  @HOST-01
  Scenario: kubectl apply of the same manifest twice reports it unchanged
    When I run "kubectl apply -f -" with:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        greeting: hello
      """
    Then the output contains "configmap/settings created"
    When I run "kubectl apply -f -" with:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
      data:
        greeting: hello
      """
    Then the output contains "configmap/settings unchanged"
