# language: ar
@docker
خاصية: الـ Self-Healing عن طريق الـ readiness والـ liveness probes
  "Self-Healing: عن طريق الـ Readiness probe >> الـ traffic بيروح للـ pod لما الـ pod is ready."
  "Self-Healing: عن طريق الـ Liveness Probe >> طول الـ Life Cycle." الـ kubelet بتعمل probe لكل
  container. الـ readiness probe لما تفشل بتطلع الـ pod من الـ endpoints بتاعة الـ Services، فمفيش
  traffic يوصلها، بس مبتلمسش الـ container؛ ولما الـ probe تنجح تاني الـ pod بترجع. الـ liveness
  probe لما تفشل failureThreshold مرات ورا بعض الـ container بيتعمله kill ويبدأ من جديد. الـ test app
  بيرد على /ready و /healthz طول ما الـ files /tmp/ready و /tmp/healthy موجودين، فالـ scenario بيكسرهم
  ويصلحهم بـ kubectl exec، وبيكتب في الـ log كل request بيرد عليه، فالـ log بتاع الـ container runtime
  بيقول الـ container فشل في كام probe قبل ما يتعمله kill.

  @HEAL-01
  سيناريو: الـ pod اللي بطلت ready مبيوصلهاش traffic ومبتتعملهاش restart، لحد ما ترجع ready
    بفرض عملت apply للـ manifest:
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
                readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: http}]
      """
    و خلال 60 ثانية الـ endpoints بتاعة الـ service "web" يبقى فيها الـ pods الـ ready اللي عليها الـ label "app=web"
    عندما شغلت "rm /tmp/ready" في pod من الـ pods اللي عليها الـ label "app=web"
    اذاً خلال 10 ثواني الـ pod دي تبقى مش Ready، وبره الـ endpoints بتاعة الـ service "web"، ومن غير restart
    و لمدة 3 ثواني كل الـ requests لـ "http://web/" بترد عليها pods تانية غير دي
    عندما شغلت "touch /tmp/ready" في الـ pod دي
    اذاً خلال 10 ثواني الـ pod دي ترجع Ready وترجع في الـ endpoints بتاعة الـ service "web"، ولسه من غير restart

  @HEAL-02
  سيناريو: الـ container اللي الـ liveness probe بتاعه بتفشل 3 مرات ورا بعض بيتعمله kill و restart، مش قبل كده
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: web}
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            ports: [{name: http, containerPort: 8080}]
            livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1, failureThreshold: 3}
      """
    و خلال 30 ثانية الـ pod "web" تبقى Running
    و خلال 10 ثواني الـ container بتاع الـ pod "web" رد على request لـ "/healthz" بنجاح
    عندما شغلت "rm /tmp/healthy" في الـ pod "web"
    اذاً خلال 8 ثواني الـ pod "web" يبقى اتعملها restart 1 مرة، كل مرة في container جديد
    و الـ container اللي الـ pod "web" اتعملها restart منه رد على آخر 3 requests لـ "/healthz" بـ error، ومش أكتر
    و الـ pod "web" فيه:
      | status.containerStatuses[0].lastState.terminated.reason | <non-empty> |
      | status.containerStatuses[0].state.running.startedAt     | <non-empty> |

  @HEAL-02
  سيناريو: الـ liveness probes اللي بتفشل، بس عمرها ما بتفشل failureThreshold مرات ورا بعض، مبتلمسش الـ container
    # الـ /healthz بتفشل 2.5 ثانية من كل 4.5 ثانية: بـ probe كل ثانية بتفشل مرتين أو 3 ورا بعض، عمرها
    # ما بتفشل 4؛ الـ kubelet اللي بيعد الـ failures اللي مش ورا بعض بيعمل restart خلال 8 ثواني
    بفرض عملت apply للـ manifest:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: web}
      spec:
        containers:
          - name: app
            image: registry.internal/ock/app:1
            command: ["/bin/sh", "-c", "(while sleep 2; do rm /tmp/healthy; sleep 2.5; echo ok > /tmp/healthy; done) & exec /bin/app"]
            ports: [{name: http, containerPort: 8080}]
            livenessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1, failureThreshold: 4}
      """
    و خلال 30 ثانية الـ pod "web" تبقى Running
    اذاً لمدة 9 ثواني الـ pod "web" يفضل فيه:
      | status.containerStatuses[0].restartCount | 0 |
    و الـ container بتاع الـ pod "web" رد على 4 requests على الأقل لـ "/healthz" بـ error، عمره ما رد 4 ورا بعض
