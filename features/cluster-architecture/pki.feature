Feature: Communication with the API server is encrypted and authenticated with certificates
  "Communication between the API server and every component is encrypted with certificates
  (PKI)." The API server serves TLS with a certificate of the cluster's CA; callers prove who
  they are with client certificates of that same CA. Anyone else is turned away: as
  kube-apiserver, the TLS layer asks for a client certificate but does not require one, and a
  certificate the cluster CA did not sign authenticates nobody (401); plain HTTP gets the answer
  Go's HTTPS server gives.

  @CP-05
  Scenario: The API server proves its identity with a certificate of the cluster CA
    Then the API server presents a certificate issued by the cluster CA

  @CP-05
  Scenario: A caller without a client certificate is not authenticated
    When I call the API without a client certificate
    Then the request is rejected with 401 Unauthorized

  @CP-05
  Scenario: A client certificate from another CA authenticates nobody
    When I call the API with a client certificate from another CA
    Then the request is rejected with 401 Unauthorized

  @CP-05
  Scenario: Plain HTTP is refused
    When I call the API over plain HTTP
    Then the server answers 400 in plain text: "Client sent an HTTP request to an HTTPS server."

  @CP-05 @trace
  Scenario: The cluster's own components authenticate with certificates of the cluster CA
    Given I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Namespace
      metadata:
        name: scratch
      """
    When I delete the namespace "scratch"
    Then within 10s the namespace "scratch" no longer exists
    And the trace shows requests by "system:kube-controller-manager"
    And every request in the trace was authenticated with a client certificate
