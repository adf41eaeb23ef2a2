# language: ar
خاصية: الـ kubelet بتبلغ عن الـ status بتاعة الـ pods وبتشغل الـ containers عن طريق الـ runtime interface
  "ودي بتكون مسؤولة عن الـ register والـ readiness & liveness & utilization في الـ API Server." "بيكون
  في interface بين الـ kubelet وبين الـ Container Runtime: الـ CRI." الـ kubelet بتكتب في الـ status بتاعة كل pod الـ
  containers بتاعتها بتعمل إيه: الـ state بتاعتهم، اتعملهم restart كام مرة، أنهي container شغال دلوقتي،
  والـ pod Ready ولا لأ (الـ readiness probe بتاعتها). ومبتكلمش الـ containers غير عن طريق الـ runtime
  interface، فنفس الـ kubelet بتشغل نفس الـ pods على containers حقيقية (الـ Docker engine) وعلى الـ runtime
  الـ simulated بتاع الـ kit، وبتبلغ الـ API باللي خلت الـ runtime يعمله (الـ image اتعملها pull، الـ container
  اتعمل create، الـ container اتعمل start) كـ events على الـ pod.

  @KUBELET-02 @docker
  سيناريو: الـ status بتاعة الـ pod فيها الـ states بتاعة الـ containers وعدد الـ restarts والـ Ready condition
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: web, labels: {app: web}}
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            ports: [{name: http, containerPort: 8080}]
            readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}
      """
    اذاً خلال 30 ثانية الـ pod "web" يبقى فيه:
      | status.phase                                        | Running     |
      | status.podIP                                        | <non-empty> |
      | status.conditions[type=Ready].status                | "True"      |
      | status.conditions[type=ContainersReady].status      | "True"      |
      | status.containerStatuses[0].ready                   | true        |
      | status.containerStatuses[0].started                 | true        |
      | status.containerStatuses[0].restartCount            | 0           |
      | status.containerStatuses[0].state.running.startedAt | <non-empty> |
    و كل container ID للـ pods اللي عليها الـ label "app=web" بيبدأ بـ "docker://"
    عندما شغلت "rm /tmp/ready" في الـ pod "web"
    اذاً خلال 10 ثواني الـ pod "web" يبقى فيه:
      | status.phase                             | Running |
      | status.conditions[type=Ready].status     | "False" |
      | status.containerStatuses[0].ready        | false   |
      | status.containerStatuses[0].restartCount | 0       |
    عندما بعت request لـ "/cgi-bin/exit?code=3" للـ pod "web"
    اذاً خلال 10 ثواني الـ pod "web" يبقى فيه:
      | status.containerStatuses[0].restartCount                  | 1           |
      | status.containerStatuses[0].lastState.terminated.exitCode | 3           |
      | status.containerStatuses[0].lastState.terminated.reason   | Error       |
      | status.containerStatuses[0].state.running.startedAt       | <non-empty> |
      | status.conditions[type=Ready].status                      | "True"      |

  @KUBELET-03 @config
  سيناريو مخطط: نفس الـ kubelet بتشغل Deployment على الـ <runtime> runtime
    # node واحدة، فـ kubelet واحدة بتشغل الـ pods الاتنين عن طريق runtime واحد ولازم تفرق بين الـ containers بتاعتهم
    بفرض cluster فيه 1 node
    و الـ nodes بتشغل الـ containers بتاعتها على الـ <runtime> runtime
    عندما عملت apply للـ manifest:
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
            containers: [{name: app, image: registry.internal/ock/app:1}]
      """
    اذاً خلال 60 ثانية الـ deployment "web" يبقى ليه 2 ready replicas
    و كل container ID للـ pods اللي عليها الـ label "app=web" بيبدأ بـ "<scheme>://"
    و كل pod عليها الـ label "app=web" بتبلغ عن containers بتاعتها هي
    و خلال 10 ثواني الـ kubelet بتاعة كل pod عليها الـ label "app=web" بلغت عن الـ runtime calls "Pulled, Created, Started"، بالترتيب

    @docker
    امثلة: containers حقيقية على الـ Docker engine
      | runtime | scheme |
      | docker  | docker |

    امثلة: الـ runtime الـ simulated
      | runtime   | scheme |
      | simulated | sim    |
