# language: ar
خاصية: الـ kubelet بتفضل تبلغ بحالة الـ node بتاعتها
  "الـ k8s مسؤول عن الـ report باستمرار للـ node health/status ... عن طريق الـ Kubelet". كل kubelet بتجدد الـ
  Lease بتاعة الـ node بتاعتها في kube-node-lease (كل ربع مدة الـ Lease، اللي هي 40 ثانية في الـ upstream)
  وبتبعت الـ status بتاع الـ node. لما الـ heartbeats تقف، الـ node lifecycle controller بيعلّم على الـ node
  Ready=Unknown ("Kubelet stopped posting node status.") أول ما الـ node-monitor-grace-period يعدي (50 ثانية
  في الـ upstream، وبيتشيك كل node-monitor-period، يعني كل 5 ثواني) وبيحط عليها الـ taint
  node.kubernetes.io/unreachable؛ كل pod بتستحمل الـ taint ده شوية (300 ثانية بالـ default)، وبعدين بيتعملها
  evict والـ controller بتاعها بيعوضها على node healthy. هنا الأوقات قصيرة عشان الحكاية كلها تخلص في ثواني:
  Lease مدتها ثانية واحدة بتتجدد كل 250 مللي ثانية، و grace period ثانيتين بيتشيك كل 500 مللي ثانية، و pods
  بتستحمل الـ node الـ unreachable ثانيتين. على أي cluster تاني الـ settings بتاعته هي اللي بتتحسب بدل دول (الـ
  target configuration بتاعته بتقول عليها)، وكل مدة تحت بتعتمد على واحدة منهم مكتوبة بيها.

  الخلفية:
    بفرض الـ timings بتاعة الـ cluster:
      | node lease duration            | 1s    |
      | node monitor period            | 500ms |
      | node monitor grace period      | 2s    |
      | default unreachable toleration | 2s    |

  @ORCH-08
  سيناريو: كل kubelet بتفضل تجدد الـ Lease بتاعة الـ node بتاعتها
    اذاً كل node ماسكة الـ Lease بتاعتها في kube-node-lease، وبتتجدد في خلال الـ node lease duration

  @ORCH-08 @faults
  سيناريو: الـ node اللي الـ heartbeats بتاعتها تقف بتبقى Unknown وبيتحط عليها الـ taint unreachable
    عندما الـ node "node-2" بطلت تبعت heartbeats
    اذاً لمدة الـ node lease duration الـ Lease بتاعة الـ node "node-2" متتجددش
    و خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى فيه:
      | status.conditions[type=Ready].status  | Unknown                              |
      | status.conditions[type=Ready].reason  | NodeStatusUnknown                    |
      | status.conditions[type=Ready].message | Kubelet stopped posting node status. |
    و خلال الـ node monitor period زائد 1500 مللي ثانية الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/unreachable:NoExecute"
    و خلال الـ node monitor period زائد 1500 مللي ثانية الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/unreachable:NoSchedule"

  @ORCH-08 @faults @trace
  سيناريو: حكاية الـ node اللي ضاعت، بالترتيب وفي ميعادها: Unknown، والـ taint، والـ pods يتعملها evict، وتتعوض
    بفرض شغلت "kubectl create deployment web --image=registry.internal/ock/app:1 --replicas=3"
    و خلال 20 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running
    و الـ pods اللي عليها الـ label "app=web" شغالة على 3 nodes مختلفة
    عندما الـ node "node-2" بطلت تبعت heartbeats
    اذاً خلال الـ node monitor grace period زائد الـ default unreachable toleration زائد 11 ثانية يبقى فيه 3 pods عليها الـ label "app=web" في حالة Running على nodes غير "node-2"
    و الـ trace بيحكي اللي حصل للـ node "node-2"، بالترتيب ده:
      | الـ kubelet بتاعتها جددت الـ Lease بتاعتها لآخر مرة           |                                |
      | اتعلم عليها Ready=Unknown                                    | بعد 2 ثانية، في خلال 3 ثواني |
      | اتحط عليها الـ taint node.kubernetes.io/unreachable:NoExecute | في خلال 1 ثانية                |
      | الـ pods بتاعتها اتعملها evict                                | بعد 2 ثانية، في خلال 3 ثواني |
      | الـ pods اللي بتعوضها بقت Running على nodes تانية             | في خلال 5 ثواني                |

  @ORCH-08 @faults
  سيناريو: الـ node اللي بترجع تبعت heartbeats بتبقى Ready والـ taints بتاعتها بتروح
    عندما الـ node "node-2" بطلت تبعت heartbeats
    و خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" يبقى عليها الـ taint "node.kubernetes.io/unreachable:NoExecute"
    و الـ node "node-2" رجعت تبعت heartbeats
    اذاً خلال الـ node lease duration زائد 1 ثانية الـ Lease بتاعة الـ node "node-2" ترجع تتجدد
    و خلال الـ node monitor grace period زائد 3 ثواني الـ node "node-2" تبقى Ready ومن غير taints
