@FLOW-01
Feature: Creating an object: any client sends the desired state to the API server
  "1. The user sends the desired state to the API server." The user does it with whatever client
  they have: kubectl, or an official client library in their own language. Each speaks the same
  API, and each must get from the cluster what it would get from any Kubernetes API server: what
  it created, listed, patched and deleted; the events of its watch; the output and exit code of a
  command it ran in a container; the answer through a port it forwarded. What a client reports is
  checked as the client reports it, and each change it made is checked again through the API.

  Scenario Outline: Any client creates, lists, watches, patches and deletes through the API
    Given <client> is installed
    And <client> is watching the config maps
    When <client> creates the config map "settings" with "colour=blue"
    Then <client> lists the config map "settings"
    And the config map "settings" has:
      | data.colour | blue |
    When <client> patches the config map "settings" with a patch of each type: <patch types>
    Then the config map "settings" has the key of each patch: <patch types>
    When <client> deletes the config map "settings"
    Then the config map "settings" does not exist
    And <client>'s watch saw the config map "settings": "ADDED, MODIFIED, DELETED"

    Examples:
      | client  | patch types                                        |
      | kubectl | merge, JSON, strategic merge and server-side apply |
      | python  | JSON and strategic merge                           |

  @docker
  Scenario Outline: Any client runs a command in a container, gets its output and exit code, and forwards a port
    Given <client> is installed
    And I apply the manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: app}
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            ports: [{containerPort: 8080}]
      """
    And within 60s the pod "app" is Running
    When <client> runs "sh -c 'read line; echo got $line; exit 3'" in the pod "app" with the input "hello"
    Then <client> reports the output "got hello" and the exit code 3
    When <client> forwards a local port to the port 8080 of the pod "app" and asks for "/version"
    Then <client> gets the answer "1"

    Examples:
      | client  |
      | kubectl |
      | python  |
