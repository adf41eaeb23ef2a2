# language: ar
@etcd @faults
خاصية: stacked etcd أو external etcd
  "في كل master node بيكون ... جواها etcd instance ... stacked etcd ... بيكلم الـ instance ده. أو ممكن
  نجمع الـ external cluster". في الـ stacked topology (الـ default بتاع kubeadm) كل control-plane node عليها
  etcd member مفيش غير الـ API Server بتاعها اللي بيستخدمه؛ وفي الـ external، الـ API Servers بتستخدم كل
  الـ members بتوع etcd cluster منفصل. الاتنين بيخدموا الـ cluster من address واحد عليه load balancer،
  وبيستحملوا إن etcd member واحد يقع. أنهي member الـ API Server بيستخدمه بيبان لما واحد يقع: في الـ stacked،
  الـ API Server اللي على الـ master بتاع الـ member ده بس هو اللي بيبطل يقبل writes (والـ load balancer
  بيودي الـ clients على التانيين)؛ وفي الـ external، كل API Server بيكمل عادي. والـ members نفسهم، لما نسألهم
  واحد واحد، بيقولوا انهم cluster واحد.

  @ETCD-03
  سيناريو مخطط: الـ cluster بيشتغل على <topology> etcd وبيستحمل إن member واحد يقع
    بطيء: تلات masters وتلات etcd members حقيقيين بيبدأوا، member واحد بيتعمله kill، واللي فاضلين لازم
    يردوا.
    بفرض control plane فيه 3 masters بـ <topology> etcd
    اذاً الـ member list بتاعة etcd نفسه فيها 3 members من cluster واحد، وكل API Server بيستخدم شوية منهم
    و الـ writes عن طريق الـ API بتنجح
    عندما اتعمل kill <الـ member اللي بيقع>
    اذاً <الـ API Servers اللي بتكتب>
    و 30 request ورا بعض عن طريق الـ cluster address بينجحوا
    و الـ writes عن طريق الـ API بتنجح
    و كل write الـ API أكدها لسه بتتقري

    امثلة:
      | topology | الـ member اللي بيقع                | الـ API Servers اللي بتكتب                                                              |
      | stacked  | للـ etcd member اللي على "master-0" | خلال 10 ثواني الـ API Server بتاع "master-0" يرفض الـ writes، وكل API Server تاني يقبلها |
      | external | للـ etcd member "etcd-0"            | كل API Server بيقبل الـ writes                                                          |
