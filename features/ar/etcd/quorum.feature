# language: ar
@etcd @faults
خاصية: تلاتة etcd members يستحملوا إن واحد منهم يقع
  "كام etcd؟ ... يفضل يكون الحد الأدنى 3". الـ write مبيتأكدش غير لما أغلبية الـ members (الـ quorum)
  تخزنه: تلاتة members يفضلوا شغالين لو واحد وقع، ويبطلوا يقبلوا writes لو اتنين وقعوا، ويرجعوا
  يشتغلوا أول ما member تاني يرجع. ومفيش write اتأكد يضيع في السكة. تاني member يقع هو الـ leader،
  فاللي فاضل follower مايقدرش يعمل commit لوحده؛ وأول member وقع هو اللي بيرجع، متأخر عن كل الـ writes
  اللي حصلت وهو غايب، ومينفعش يضيع ولا واحدة منهم. الـ API Server بيستنى etcd بـ 4 ثواني بس (الـ write اللي
  مفيش ليها quorum بتترفض بعدها)، عشان الـ scenario مايستناش الـ 8 ثواني الـ default. ولو كل API Server بيستخدم
  الـ etcd member اللي على الـ master بتاعه بس (stacked)، فاللي الـ member بتاعه وقع بيرفض الـ writes لحد ما الـ load
  balancer يشيله من الـ rotation (الـ readiness check بتاعه بيفشل)، فالـ writes بعد أول member يقع ليها 10 ثواني
  عشان تكمل.

  @ETCD-04
  سيناريو: الـ writes شغالة مع 2 من 3 members، وبتقف مع 1 من 3، وترجع مع 2 من 3
    بفرض الـ timings بتاعة الـ cluster:
      | storage timeout | 4s |
    و الـ writes عن طريق الـ API بتنجح
    عندما اتعمل kill للـ etcd member "etcd-0"
    اذاً خلال 10 ثواني الـ writes عن طريق الـ API ترجع تنجح
    عندما اتعمل kill للـ etcd leader
    اذاً خلال الـ storage timeout زائد 16 ثانية الـ writes عن طريق الـ API تترفض عشان مفيش quorum، ومفيش ولا write تتأكد
    عندما اتعمل restart للـ etcd member "etcd-0"
    اذاً خلال 30 ثانية الـ writes عن طريق الـ API ترجع تنجح
    و كل write الـ API أكدها لسه بتتقري
