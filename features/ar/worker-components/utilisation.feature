# language: ar
خاصية: الـ kubelet بتبلغ الـ nodes والـ pods بيستخدموا قد إيه
  "ودي بتكون مسؤولة عن الـ register والـ readiness & liveness & utilization في الـ API Server." كل kubelet
  بتقدم الـ CPU والـ memory اللي الـ node بتاعتها والـ containers بيستخدموهم (/metrics/resource)؛ والـ
  metrics-server بيعمل scrape لكل kubelet كل metric resolution، وبيقدم الأرقام دي كـ resource metrics API
  (metrics.k8s.io: NodeMetrics و PodMetrics) ورا الـ API Server، وده اللي kubectl top والـ
  HorizontalPodAutoscaler بيقروه. تحت الـ load الأرقام بتطلع؛ ولما الـ load يخلص بترجع تنزل. على containers
  حقيقية الأرقام هي الـ container stats بتاعة الـ Docker engine، والـ load هو requests تقيلة على الـ CPU عن
  طريق Service؛ وعلى الـ simulated runtime الـ load door هو اللي بيقول الـ pod بتستخدم قد إيه.

  @KUBELET-02
  سيناريو: اللي كل node بتستخدمه بيتقري من الـ metrics API ومن kubectl top
    بفرض الـ metric resolution هي 1 ثانية
    اذاً خلال الـ metric resolution زائد 19 ثانية الـ metrics API يبلغ بالـ CPU والـ memory اللي كل node بتستخدمهم
    و خلال الـ metric resolution زائد 19 ثانية "kubectl top nodes" يطلع كل node Ready بالـ CPU والـ memory اللي بتستخدمهم
