Feature: Only authenticated users get past the front door
  "Is the user authenticated?" Every request must prove who sent it: a client certificate of
  the cluster CA (the user is its common name, the groups its organisations), a bearer token
  from the cluster's static token file, or a ServiceAccount token the API server issued itself
  (what `kubectl create token` asks for). A request with no or invalid credentials is refused
  with 401 Unauthorized and a Status, and nothing is stored.

  @API-02 @store
  Scenario: A request without credentials is refused with 401 and nothing is stored
    When a client without credentials tries to create the manifest:
      """yaml
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: anonymous-note
      """
    Then the request is rejected with 401 Unauthorized
    And the rejected request wrote nothing to the store
    And the config map "anonymous-note" does not exist

  @API-02
  Scenario: A bearer token the cluster never issued is refused with 401
    When a client lists config maps with the bearer token "not-a-real-token"
    Then the request is rejected with 401 Unauthorized saying "Unauthorized"

  @API-02
  Scenario: A service account token signed by anyone but the cluster is refused with 401
    When I run "kubectl create token default"
    And a client lists config maps with the token from the output, signed by another key
    Then the request is rejected with 401 Unauthorized saying "Unauthorized"

  @API-02
  Scenario: kubectl create token issues a token that authenticates as the service account
    When I run "kubectl create token default"
    Then the output is a service account token for "system:serviceaccount:{namespace}:default"
    When a client lists config maps with the token from the output
    Then the request is rejected with 403 Forbidden saying 'User "system:serviceaccount:{namespace}:default" cannot list resource "configmaps"'

  @API-02
  Scenario: A token from the static token file authenticates as its user
    Given the cluster accepts the static tokens:
      """
      # token,user,uid,"groups"
      31ada4fd-adec-460c-809a-9e56ceb75269,ci-bot,1001,"builders,auditors"
      """
    When a client lists config maps with the bearer token "31ada4fd-adec-460c-809a-9e56ceb75269"
    Then the request is rejected with 403 Forbidden saying 'User "ci-bot" cannot list resource "configmaps"'
    When a client lists config maps with the bearer token "31ada4fd-adec-460c-809a-9e56ceb75270"
    Then the request is rejected with 401 Unauthorized
